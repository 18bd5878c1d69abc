/** Test helper: builds WebM files shaped like MediaRecorder's (unknown-size Segment and Cluster, no Duration). */
const size = (n: number) => Buffer.from([0x10, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]); // 4-byte vint
export const UNKNOWN = Buffer.from([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
const id = (hex: number) => Buffer.from(hex.toString(16).padStart(hex > 0xffffff ? 8 : hex > 0xffff ? 6 : hex > 0xff ? 4 : 2, '0'), 'hex');
const el = (i: number, body: Buffer | string) => {
  const b = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  return Buffer.concat([id(i), size(b.length), b]);
};
const u = (n: number, bytes = 1) => {
  const b = Buffer.alloc(bytes);
  b.writeUIntBE(n, 0, bytes);
  return b;
};
const block = (rel: number) => {
  const b = Buffer.alloc(4 + 10);
  b[0] = 0x81; // track 1
  b.writeInt16BE(rel, 1);
  return el(0xa3, b);
};

export function webm({ doc = 'webm', codec = 'A_OPUS', type = 2, tracks = 1, clusters = [[0, [0, 20, 40]]] as [number, number[]][] } = {}) {
  const entries = Array.from({ length: tracks }, () => el(0xae, Buffer.concat([el(0x83, u(type)), el(0x86, codec)])));
  return Buffer.concat([
    el(0x1a45dfa3, el(0x4282, doc)),
    id(0x18538067),
    UNKNOWN,
    el(0x1549a966, el(0x2ad7b1, u(1_000_000, 3))),
    el(0x1654ae6b, Buffer.concat(entries)),
    ...clusters.map(([tc, rels]) => Buffer.concat([id(0x1f43b675), UNKNOWN, el(0xe7, u(tc, 2)), ...rels.map(block)])),
  ]);
}

export const ebml = { el, id, u };
