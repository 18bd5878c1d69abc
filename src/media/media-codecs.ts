import type { RtpCodecCapability } from 'mediasoup/node/lib/RtpParameters';

/**
 * The codecs every session router offers. Audio is what a call is about: Opus with in-band FEC (recovers
 * lost packets on weak mobile networks) and DTX (sends almost nothing during silence, which is half of an
 * interpreted conversation). Video is optional: VP8 for every browser, H264 (constrained baseline) for
 * phones whose only hardware encoder it is.
 */
export const MEDIA_CODECS: RtpCodecCapability[] = [
  {
    kind: 'audio',
    mimeType: 'audio/opus',
    clockRate: 48000,
    channels: 2,
    parameters: { useinbandfec: 1, usedtx: 1 },
  },
  {
    kind: 'video',
    mimeType: 'video/VP8',
    clockRate: 90000,
  },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
];
