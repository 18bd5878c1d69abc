import { HttpException } from '@nestjs/common';
import type { AckError, AckErrorCode } from './realtime.contract';

export type WsErrorCode = AckErrorCode;

/** The acknowledgement of a failed event (realtime.contract.ts). */
export type WsErrorBody = AckError;

const BY_STATUS: Record<number, WsErrorCode> = {
  400: 'VALIDATION',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'VALIDATION',
  429: 'RATE_LIMITED',
};

/**
 * Maps any exception to the acknowledgement shape of API.md. Services throw the same HttpExceptions for
 * REST and sockets; unknown errors become INTERNAL without their message (it could carry data).
 */
export function toWsError(e: unknown): WsErrorBody {
  if (e instanceof HttpException) {
    const code = BY_STATUS[e.getStatus()] ?? (e.getStatus() >= 500 ? 'INTERNAL' : 'VALIDATION');
    const res = e.getResponse() as string | { message?: string | string[]; fields?: string[] };
    const raw = typeof res === 'string' ? res : (res.message ?? e.message);
    const message = Array.isArray(raw) ? raw.join('; ') : String(raw);
    const fields = typeof res === 'object' && Array.isArray(res.fields) ? res.fields : undefined;
    return { error: { code, message, ...(fields ? { fields } : {}) } };
  }
  return { error: { code: 'INTERNAL', message: 'internal error' } };
}
