import type { RtpCodecCapability } from 'mediasoup/node/lib/RtpParameters';
import { MAX_OPUS_BITRATE, OPUS_PTIME_MS } from './media-policy';

/**
 * The codecs every session router offers. Audio is what a call is about: Opus with in-band FEC (recovers
 * lost packets on weak mobile networks) and DTX (sends almost nothing during silence, which is half of an
 * interpreted conversation), mono (no `stereo`), 20 ms frames, at most 32 kbit/s. mediasoup-client writes
 * a router codec's parameters into the SDP answer it gives its own browser for a send transport, so these
 * are what the browser's Opus encoder is told to do; `media:produce` checks the client declares the same
 * (media-policy.ts). Video is optional: VP8 for every browser, H264 (constrained baseline) for phones whose
 * only hardware encoder it is.
 */
export const MEDIA_CODECS: RtpCodecCapability[] = [
  {
    kind: 'audio',
    mimeType: 'audio/opus',
    clockRate: 48000,
    channels: 2,
    parameters: { useinbandfec: 1, usedtx: 1, maxaveragebitrate: MAX_OPUS_BITRATE, ptime: OPUS_PTIME_MS },
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
