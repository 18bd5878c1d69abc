import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { INTERPRETER_STATUSES, type InterpreterStatus } from '../../common/domain';

export class SetInterpreterStatusDto {
  @ApiProperty({
    enum: INTERPRETER_STATUSES,
    description: 'suspended: offered nothing and cannot be available; active: back on the roster',
  })
  @IsIn(INTERPRETER_STATUSES, { message: `status must be one of ${INTERPRETER_STATUSES.join(', ')}` })
  status: InterpreterStatus;
}
