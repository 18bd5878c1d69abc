import { Module } from '@nestjs/common';
import { ReturnCodesService } from './return-codes.service';

@Module({
  providers: [ReturnCodesService],
  exports: [ReturnCodesService],
})
export class ReturnCodesModule {}
