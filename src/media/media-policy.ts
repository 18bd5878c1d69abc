/**
 * The media a participant may send, as pure checks on what her client declares (kept apart from mediasoup
 * so that they can be unit-tested). mediasoup checks that parameters are well formed; these check that
 * they are what a voice call on a weak network needs.
 */

/** Opus for voice: enough for speech in every language, little enough for a weak 3G link. */
export const MAX_OPUS_BITRATE = 32_000;
/** 20 ms Opus frames: 50 packets a second, the usual trade-off between overhead and delay. */
export const OPUS_PTIME_MS = 20;
/** A face on a weak network: the camera is optional and must never crowd out the voice. */
export const MAX_VIDEO_BITRATE = 500_000;
/** Simulcast layers a camera may send at most. */
export const MAX_VIDEO_ENCODINGS = 3;
/**
 * What a participant's send transport may take in (the estimate mediasoup feeds back to her sender): her
 * voice plus, once she turned it on, her camera, with RTP overhead.
 */
export const MAX_INCOMING_BITRATE = 600_000;

export type MediaKind = 'audio' | 'video';

export interface PolicyViolation {
  field: string;
  message: string;
}

interface CodecLike {
  mimeType?: unknown;
  parameters?: Record<string, unknown>;
}

interface EncodingLike {
  maxBitrate?: unknown;
}

const num = (v: unknown): number | null => (v === undefined || v === '' ? null : Number.isFinite(Number(v)) ? Number(v) : NaN);

/**
 * What is wrong with a producer's RTP parameters (already well formed, as mediasoup's own validation leaves
 * them), or null. Audio: Opus, in-band FEC and DTX on, mono, 20 ms frames, at most MAX_OPUS_BITRATE.
 * Video: VP8 or H264, at most MAX_VIDEO_ENCODINGS layers of at most MAX_VIDEO_BITRATE each.
 */
export function producerViolation(
  kind: MediaKind,
  rtpParameters: { codecs?: CodecLike[]; encodings?: EncodingLike[] },
): PolicyViolation | null {
  const codec = rtpParameters.codecs?.[0];
  const mime = typeof codec?.mimeType === 'string' ? codec.mimeType.toLowerCase() : '';
  const p = codec?.parameters ?? {};
  const at = (key: string) => `rtpParameters.codecs[0].parameters.${key}`;
  const encodings = rtpParameters.encodings ?? [];
  if (kind === 'audio') {
    if (mime !== 'audio/opus') return { field: 'rtpParameters.codecs[0].mimeType', message: 'audio must be sent as audio/opus' };
    if (num(p.useinbandfec) !== 1) return { field: at('useinbandfec'), message: 'Opus in-band FEC must be on (useinbandfec=1)' };
    if (num(p.usedtx) !== 1) return { field: at('usedtx'), message: 'Opus DTX must be on (usedtx=1)' };
    for (const key of ['stereo', 'sprop-stereo']) {
      const v = num(p[key]);
      if (v !== null && v !== 0) return { field: at(key), message: 'voice is sent in mono' };
    }
    const ptime = num(p.ptime);
    if (ptime !== null && ptime !== OPUS_PTIME_MS) return { field: at('ptime'), message: `Opus frames must be ${OPUS_PTIME_MS} ms` };
    const max = num(p.maxaveragebitrate);
    if (max !== null && !(max > 0 && max <= MAX_OPUS_BITRATE))
      return { field: at('maxaveragebitrate'), message: `Opus must stay at or under ${MAX_OPUS_BITRATE} bit/s` };
    if (encodings.length > 1) return { field: 'rtpParameters.encodings', message: 'audio is sent as one encoding' };
    const cap = num(encodings[0]?.maxBitrate);
    if (cap !== null && !(cap > 0 && cap <= MAX_OPUS_BITRATE))
      return { field: 'rtpParameters.encodings[0].maxBitrate', message: `audio must stay at or under ${MAX_OPUS_BITRATE} bit/s` };
    return null;
  }
  if (mime !== 'video/vp8' && mime !== 'video/h264')
    return { field: 'rtpParameters.codecs[0].mimeType', message: 'video must be sent as video/VP8 or video/H264' };
  if (encodings.length > MAX_VIDEO_ENCODINGS)
    return { field: 'rtpParameters.encodings', message: `video is sent in at most ${MAX_VIDEO_ENCODINGS} encodings` };
  for (const [i, e] of encodings.entries()) {
    const cap = num(e.maxBitrate);
    if (cap !== null && !(cap > 0 && cap <= MAX_VIDEO_BITRATE))
      return {
        field: `rtpParameters.encodings[${i}].maxBitrate`,
        message: `each video encoding must stay at or under ${MAX_VIDEO_BITRATE} bit/s`,
      };
  }
  return null;
}
