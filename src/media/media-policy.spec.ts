import { MAX_OPUS_BITRATE, MAX_VIDEO_BITRATE, producerViolation } from './media-policy';

const opus = (parameters: Record<string, unknown>, encodings: Record<string, unknown>[] = [{ ssrc: 1 }]) => ({
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters }],
  encodings,
});
const voice = { minptime: 10, useinbandfec: 1, usedtx: 1 };

describe('producerViolation: audio', () => {
  it('accepts Opus with FEC and DTX, mono, 20 ms, within the bitrate, as numbers or strings', () => {
    expect(producerViolation('audio', opus(voice))).toBeNull();
    expect(
      producerViolation('audio', opus({ ...voice, ptime: 20, maxaveragebitrate: MAX_OPUS_BITRATE, stereo: 0, 'sprop-stereo': 0 })),
    ).toBeNull();
    expect(
      producerViolation('audio', opus({ useinbandfec: '1', usedtx: '1', maxaveragebitrate: '24000' }, [{ maxBitrate: 24000 }])),
    ).toBeNull();
  });

  it.each([
    [{ minptime: 10, usedtx: 1 }, 'useinbandfec'],
    [{ ...voice, useinbandfec: 0 }, 'useinbandfec'],
    [{ minptime: 10, useinbandfec: 1 }, 'usedtx'],
    [{ ...voice, usedtx: 'yes' }, 'usedtx'],
    [{ ...voice, stereo: 1 }, 'stereo'],
    [{ ...voice, 'sprop-stereo': 1 }, 'sprop-stereo'],
    [{ ...voice, ptime: 60 }, 'ptime'],
    [{ ...voice, maxaveragebitrate: MAX_OPUS_BITRATE + 1 }, 'maxaveragebitrate'],
    [{ ...voice, maxaveragebitrate: 0 }, 'maxaveragebitrate'],
    [{ ...voice, maxaveragebitrate: 'lots' }, 'maxaveragebitrate'],
  ])('refuses %j, naming %s', (parameters, key) => {
    expect(producerViolation('audio', opus(parameters))).toEqual({
      field: `rtpParameters.codecs[0].parameters.${key}`,
      message: expect.any(String),
    });
  });

  it('refuses another codec, several encodings, or an encoding above the cap', () => {
    expect(producerViolation('audio', { codecs: [{ mimeType: 'audio/PCMU', parameters: {} }] })?.field).toBe(
      'rtpParameters.codecs[0].mimeType',
    );
    expect(producerViolation('audio', { codecs: [] })?.field).toBe('rtpParameters.codecs[0].mimeType');
    expect(producerViolation('audio', opus(voice, [{ ssrc: 1 }, { ssrc: 2 }]))?.field).toBe('rtpParameters.encodings');
    expect(producerViolation('audio', opus(voice, [{ maxBitrate: 64000 }]))?.field).toBe('rtpParameters.encodings[0].maxBitrate');
  });

  it('refuses video codecs declared as audio', () => {
    expect(producerViolation('audio', { codecs: [{ mimeType: 'video/VP8', parameters: {} }] })?.field).toBe(
      'rtpParameters.codecs[0].mimeType',
    );
  });
});

describe('producerViolation: video', () => {
  const vp8 = (encodings: Record<string, unknown>[] = [{}]) => ({ codecs: [{ mimeType: 'video/VP8', parameters: {} }], encodings });

  it('accepts VP8 and H264, up to three layers within the cap', () => {
    expect(producerViolation('video', vp8())).toBeNull();
    expect(producerViolation('video', { codecs: [{ mimeType: 'video/H264', parameters: {} }] })).toBeNull();
    expect(
      producerViolation('video', vp8([{ maxBitrate: 100_000 }, { maxBitrate: 300_000 }, { maxBitrate: MAX_VIDEO_BITRATE }])),
    ).toBeNull();
  });

  it('refuses other codecs, too many layers, a layer above the cap, audio declared as video', () => {
    expect(producerViolation('video', { codecs: [{ mimeType: 'video/VP9', parameters: {} }] })?.field).toBe(
      'rtpParameters.codecs[0].mimeType',
    );
    expect(producerViolation('video', { codecs: [{ mimeType: 'audio/opus', parameters: {} }] })?.field).toBe(
      'rtpParameters.codecs[0].mimeType',
    );
    expect(producerViolation('video', vp8([{}, {}, {}, {}]))?.field).toBe('rtpParameters.encodings');
    expect(producerViolation('video', vp8([{}, { maxBitrate: MAX_VIDEO_BITRATE + 1 }]))?.field).toBe(
      'rtpParameters.encodings[1].maxBitrate',
    );
  });
});
