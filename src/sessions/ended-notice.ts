import type { EndedNotice } from './sessions.repository';

/** An ended session's notice as another node sent it. */
export function isEndedNotice(n: unknown): n is EndedNotice {
  const x = n as Partial<EndedNotice> | null;
  const strings = (a: unknown) => Array.isArray(a) && a.every((v) => typeof v === 'string');
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof x.sessionId === 'string' &&
    typeof x.reason === 'string' &&
    typeof x.interpreterId === 'string' &&
    strings(x.interpreterIds) &&
    strings(x.callerSubs) &&
    (x.officialId === null || typeof x.officialId === 'string') &&
    (x.wrapups === undefined || Array.isArray(x.wrapups))
  );
}
