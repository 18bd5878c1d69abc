/** Test helper: builds Ogg files shaped like Firefox's MediaRecorder output (OpusHead, OpusTags, audio pages). */
const page = (serial: number, seq: number, granule: bigint, packet: Buffer, headerType = 0) => {
  const segments: number[] = [];
  let left = packet.length;
  while (left >= 255) {
    segments.push(255);
    left -= 255;
  }
  segments.push(left);
  const head = Buffer.alloc(27);
  head.write('OggS', 0, 'latin1');
  head[5] = headerType;
  head.writeBigInt64LE(granule, 6);
  head.writeUInt32LE(serial, 14);
  head.writeUInt32LE(seq, 18);
  head[26] = segments.length;
  return Buffer.concat([head, Buffer.from(segments), packet]);
};

const opusHead = (preSkip: number) => {
  const b = Buffer.alloc(19);
  b.write('OpusHead', 0, 'latin1');
  b[8] = 1;
  b[9] = 1;
  b.writeUInt16LE(preSkip, 10);
  b.writeUInt32LE(48_000, 12);
  return b;
};

/** `granules`: the granule position of each audio page (48 kHz samples, pre-skip included). */
export function oggOpus({ granules = [48_000 + 312], preSkip = 312, head = opusHead(preSkip), serials = [] as number[] } = {}) {
  const serial = 0x1234;
  return Buffer.concat([
    page(serial, 0, 0n, head, 2),
    page(serial, 1, 0n, Buffer.from('OpusTags\0\0\0\0\0\0\0\0', 'latin1')),
    ...granules.map((g, i) => page(serials[i] ?? serial, i + 2, BigInt(g), Buffer.alloc(60, 0xfc))),
  ]);
}

export const vorbisHead = () => Buffer.concat([Buffer.from([1]), Buffer.from('vorbis', 'latin1'), Buffer.alloc(23)]);
