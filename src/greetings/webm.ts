/**
 * Just enough of WebM (Matroska/EBML) to check an uploaded greeting without trusting its content type: the
 * document type is `webm`, it has exactly one track and it is Opus audio, and how long it lasts (from the last
 * block's timecode: MediaRecorder writes no Duration; a header Duration counts only when it says longer).
 *
 * Why this reader is kept rather than a maintained parser (issue 12), measured on 2026-12-04 with a real
 * Chromium MediaRecorder file (test/fixtures/recordings/, what every phone and console here uploads) and the
 * fixtures of webm.spec.ts / ogg.spec.ts, against music-metadata `parseBuffer`:
 * - 12.1.0 (the latest) is ESM-only and needs Node 22 (we run 20); 12.1.0 and 11.16.1 both throw "ignore length
 *   must be a non-negative safe integer" on every Chromium recording (unknown-size Segment and Cluster), so
 *   every upload would be refused.
 * - 7.14.0 (the last CommonJS release) reads those headers but gives no duration (there is no Duration element),
 *   so "too long" could not be checked at all; it also takes the first 150 bytes of a recording (the header, no
 *   sound) as a good file, and a cut Ogg file as whole (ogg.ts).
 * Any of them would also be a second parser of the same untrusted bytes, since the length needs this walk anyway.
 * This one is small, bounded by the upload limit, refuses what it does not know, and is fuzzed (webm.spec.ts).
 */
import { AudioFormatError } from './audio-format-error';

export interface WebmAudio {
  codec: string;
  durationMs: number;
}

/** Kept as its own name for the WebM checks; every format's problems are AudioFormatErrors. */
export class WebmError extends AudioFormatError {}

const ID = {
  EBML: 0x1a45dfa3,
  DocType: 0x4282,
  Segment: 0x18538067,
  Info: 0x1549a966,
  TimecodeScale: 0x2ad7b1,
  Duration: 0x4489,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackType: 0x83,
  CodecID: 0x86,
  Cluster: 0x1f43b675,
  Timecode: 0xe7,
  SimpleBlock: 0xa3,
  BlockGroup: 0xa0,
  Block: 0xa1,
};
/** Elements whose children are read in place (the walk is flat: their size may be "unknown", as MediaRecorder writes them). */
const CONTAINERS = new Set([ID.EBML, ID.Segment, ID.Info, ID.Tracks, ID.TrackEntry, ID.Cluster, ID.BlockGroup]);

function vint(buf: Buffer, pos: number, keepMarker: boolean): { value: number; length: number; unknown: boolean } {
  const first = buf[pos];
  if (first === undefined) throw new WebmError('the file is truncated');
  let length = 1;
  while (length <= 8 && !(first & (0x80 >> (length - 1)))) length++;
  if (length > 8) throw new WebmError('not a WebM file (bad element header)');
  if (pos + length > buf.length) throw new WebmError('the file is truncated');
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + buf[pos + i];
    if (buf[pos + i] !== 0xff) allOnes = false;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

const uint = (b: Buffer) => b.reduce((n, byte) => n * 256 + byte, 0);

export function parseWebmAudio(buf: Buffer): WebmAudio {
  if (buf.length < 4 || buf.readUInt32BE(0) !== ID.EBML) throw new WebmError('not a WebM file');
  let docType = '';
  let scale = 1_000_000;
  let headerDuration: number | null = null;
  const tracks: { type?: number; codec?: string }[] = [];
  let cluster = 0;
  let lastBlock = -1;
  let pos = 0;
  while (pos < buf.length) {
    const id = vint(buf, pos, true);
    const size = vint(buf, pos + id.length, false);
    const start = pos + id.length + size.length;
    if (CONTAINERS.has(id.value)) {
      if (id.value === ID.TrackEntry) tracks.push({});
      pos = start;
      continue;
    }
    if (size.unknown) throw new WebmError('not a WebM file (an element of unknown size)');
    const end = start + size.value;
    // MediaRecorder may stop mid-cluster: a truncated last block is tolerated, nothing else is.
    const data = buf.subarray(start, Math.min(end, buf.length));
    if (end > buf.length && id.value !== ID.SimpleBlock && id.value !== ID.Block) throw new WebmError('the file is truncated');
    switch (id.value) {
      case ID.DocType:
        docType = data.toString('latin1');
        break;
      case ID.TimecodeScale:
        scale = uint(data);
        break;
      case ID.Duration:
        headerDuration = data.length === 4 ? data.readFloatBE(0) : data.length === 8 ? data.readDoubleBE(0) : null;
        if (headerDuration !== null && !(headerDuration >= 0 && Number.isFinite(headerDuration)))
          throw new WebmError('not a WebM file (bad Duration)');
        break;
      case ID.TrackType:
        if (tracks.length) tracks[tracks.length - 1].type = uint(data);
        break;
      case ID.CodecID:
        if (tracks.length) tracks[tracks.length - 1].codec = data.toString('latin1');
        break;
      case ID.Timecode:
        cluster = uint(data);
        break;
      case ID.SimpleBlock:
      case ID.Block: {
        const track = vint(data, 0, false);
        if (data.length >= track.length + 2) lastBlock = Math.max(lastBlock, cluster + data.readInt16BE(track.length));
        break;
      }
    }
    pos = end;
  }
  if (docType !== 'webm') throw new WebmError('not a WebM file');
  if (tracks.length !== 1 || tracks[0].type !== 2) throw new WebmError('a recording is one audio track, and nothing else');
  if (tracks[0].codec !== 'A_OPUS') throw new WebmError(`the audio must be Opus (this is ${tracks[0].codec ?? 'unknown'})`);
  if (lastBlock < 0 && headerDuration === null) throw new WebmError('the recording is empty');
  // A header that says less than the blocks does not make the recording shorter.
  const ticks = Math.max(headerDuration ?? 0, lastBlock);
  return { codec: 'opus', durationMs: Math.round((ticks * scale) / 1_000_000) };
}
