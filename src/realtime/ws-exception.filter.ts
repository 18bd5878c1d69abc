import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { toWsError } from './ws-errors';

/** Answers a failed socket event through its acknowledgement, never by disconnecting. */
@Catch()
export class WsExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Socket');

  catch(exception: unknown, host: ArgumentsHost) {
    const ack = host.getArgs().find((a, i) => i > 0 && typeof a === 'function') as ((body: unknown) => void) | undefined;
    const body = toWsError(exception);
    if (!(exception instanceof HttpException)) {
      // The event name only: payloads may carry caller data.
      const e = exception as { name?: string; code?: string; constraint?: string };
      // Names and codes only: an error message can quote the input that caused it.
      this.logger.error({ event: host.getArgs().at(-1), err: e?.name, code: e?.code, constraint: e?.constraint }, 'socket handler failed');
    }
    if (ack) ack(body);
  }
}
