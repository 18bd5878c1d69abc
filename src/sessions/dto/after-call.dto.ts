import { ArrayMaxSize, IsArray, IsIn, IsUUID } from 'class-validator';
import {
  FEEDBACK_ANSWERS,
  REFERRED_TO,
  WRAPUP_SIGNS,
  type FeedbackAnswer,
  type ReferredTo,
  type WrapupSign,
} from '../../realtime/realtime.contract';

export class FeedbackDto {
  @IsUUID()
  sessionId: string;

  @IsIn(FEEDBACK_ANSWERS, { message: `answer must be one of ${FEEDBACK_ANSWERS.join(', ')}` })
  answer: FeedbackAnswer;
}

export class WrapupNotesDto {
  @IsUUID()
  sessionId: string;

  @IsArray()
  @ArrayMaxSize(REFERRED_TO.length)
  @IsIn(REFERRED_TO, { each: true, message: `referredTo must contain only ${REFERRED_TO.join(', ')}` })
  referredTo: ReferredTo[];

  @IsArray()
  @ArrayMaxSize(WRAPUP_SIGNS.length)
  @IsIn(WRAPUP_SIGNS, { each: true, message: `signs must contain only ${WRAPUP_SIGNS.join(', ')}` })
  signs: WrapupSign[];
}
