/**
 * Just enough of Ogg to check an uploaded Opus recording (Firefox's MediaRecorder writes Ogg): every page is
 * whole, there is one logical stream and it is Opus (`OpusHead`), and how long it lasts (the last granule
 * position, in 48 kHz samples, minus the header's pre-skip). Page checksums are not verified: a damaged file
 * still decodes to noise at worst, and its length is bounded by the upload limit anyway.
 */
// Kept rather than music-metadata, measured as told in webm.ts. For Ogg, no version measured refuses a file cut
// mid-page (7.14.0 reports its whole length, 11.16.1 and 12.1.0 a negative one) or an empty one (a negative
// duration); 7.14.0 takes two streams as one, the later ones fail with an internal error.
import { AudioFormatError } from './audio-format-error';

const CAPTURE = 0x4f676753; // "OggS"
const HEADER = 27;
const NO_GRANULE = -1n;

export function isOgg(buf: Buffer): boolean {
  return buf.length >= 4 && buf.readUInt32BE(0) === CAPTURE;
}

export function parseOggOpus(buf: Buffer): { codec: 'opus'; durationMs: number } {
  if (!isOgg(buf)) throw new AudioFormatError('not an Ogg file');
  let serial: number | null = null;
  let first: Buffer | null = null;
  let lastGranule = NO_GRANULE;
  let pages = 0;
  for (let pos = 0; pos < buf.length;) {
    if (pos + HEADER > buf.length) throw new AudioFormatError('the file is truncated');
    if (buf.readUInt32BE(pos) !== CAPTURE) throw new AudioFormatError('not an Ogg file (a page without its OggS mark)');
    const segments = buf[pos + 26];
    if (pos + HEADER + segments > buf.length) throw new AudioFormatError('the file is truncated');
    let size = 0;
    for (let i = 0; i < segments; i++) size += buf[pos + HEADER + i];
    const start = pos + HEADER + segments;
    if (start + size > buf.length) throw new AudioFormatError('the file is truncated');
    const pageSerial = buf.readUInt32LE(pos + 14);
    if (serial === null) serial = pageSerial;
    else if (pageSerial !== serial) throw new AudioFormatError('a recording is one audio track, and nothing else');
    if (pages === 0) first = buf.subarray(start, start + size);
    const granule = buf.readBigInt64LE(pos + 6);
    // The two header pages carry granule 0; -1 marks a page on which no packet ends.
    if (pages >= 2 && granule !== NO_GRANULE) lastGranule = granule;
    pages++;
    pos = start + size;
  }
  if (!first || first.length < 19 || first.toString('latin1', 0, 8) !== 'OpusHead') {
    const codec = first?.subarray(1, 7).toString('latin1') === 'vorbis' ? 'Vorbis' : 'unknown';
    throw new AudioFormatError(`the audio must be Opus (this is ${codec})`);
  }
  if (lastGranule <= 0n) throw new AudioFormatError('the recording is empty');
  const preSkip = first.readUInt16LE(10);
  const samples = Math.max(0, Number(lastGranule) - preSkip);
  return { codec: 'opus', durationMs: Math.round(samples / 48) };
}
