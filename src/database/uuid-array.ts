import { isUuid } from '../common/validation';

/** PostgreSQL's type oid of uuid: an array's binary form names its element type. */
const UUID_OID = 2950;

/**
 * A uuid[] parameter in PostgreSQL's binary form (`array_send`'s layout), for the lists of candidates that every
 * dispatch passes (`$n::uuid[]`). `pg` sends a Buffer as a binary parameter; an array it sends as text, which
 * PostgreSQL parses character by character (`array_in`, then `uuid_in` per element): 2-3 % of a request's PostgreSQL
 * instructions for a list of 45 interpreters (BENCHMARKS.md, "Stop 44"). A value that is not a uuid throws here,
 * before anything is sent (as text, PostgreSQL would have refused the statement).
 */
export function uuidArray(ids: readonly string[]): Buffer {
  // Header: dimensions, has-nulls flag, element type; then, for one dimension, its length and lower bound.
  const header = ids.length ? 20 : 12;
  const buf = Buffer.alloc(header + ids.length * 20);
  buf.writeInt32BE(ids.length ? 1 : 0, 0);
  buf.writeInt32BE(0, 4);
  buf.writeUInt32BE(UUID_OID, 8);
  if (ids.length) {
    buf.writeInt32BE(ids.length, 12);
    buf.writeInt32BE(1, 16);
  }
  ids.forEach((id, i) => {
    if (!isUuid(id)) throw new TypeError(`uuidArray: element ${i} is not a uuid`);
    const at = header + i * 20;
    buf.writeInt32BE(16, at);
    buf.write(id.replace(/-/g, ''), at + 4, 16, 'hex');
  });
  return buf;
}
