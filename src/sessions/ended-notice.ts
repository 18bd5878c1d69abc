import type { EndedNotice } from './sessions.repository';

/** Bounds for what another node may send: ids are uuids or token subjects, a call has a handful of people. */
const MAX_ID = 64;
const MAX_LIST = 50;

const id = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= MAX_ID;
const ids = (v: unknown) => Array.isArray(v) && v.length <= MAX_LIST && v.every(id);
const time = (v: unknown) => typeof v === 'string' && v.length <= 40 && !Number.isNaN(Date.parse(v));
const wrapup = (v: unknown) => {
  const w = v as { id?: unknown; until?: unknown; canExtend?: unknown } | null;
  return typeof w === 'object' && w !== null && id(w.id) && time(w.until) && typeof w.canExtend === 'boolean';
};

/** An ended session's notice as another node sent it (what `session_end` returns). */
export function isEndedNotice(n: unknown): n is EndedNotice {
  const x = n as Partial<EndedNotice> | null;
  return (
    typeof x === 'object' &&
    x !== null &&
    id(x.sessionId) &&
    typeof x.reason === 'string' &&
    /^[a-z_]{1,40}$/.test(x.reason) &&
    id(x.interpreterId) &&
    ids(x.interpreterIds) &&
    ids(x.callerSubs) &&
    (x.officialId === null || id(x.officialId)) &&
    time(x.endedAt) &&
    (x.wrapups === undefined || (Array.isArray(x.wrapups) && x.wrapups.length <= MAX_LIST && x.wrapups.every(wrapup)))
  );
}
