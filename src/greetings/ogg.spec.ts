import { AudioFormatError } from './audio-format-error';
import { parseOggOpus } from './ogg';
import { oggOpus, vorbisHead } from './ogg.fixture';

describe('Ogg Opus check', () => {
  it('reads the duration from the last granule position, less the pre-skip', () => {
    expect(parseOggOpus(oggOpus({ granules: [24_312, 48_312, 96_312], preSkip: 312 }))).toEqual({ codec: 'opus', durationMs: 2000 });
  });

  it('ignores pages on which no packet ends (granule -1)', () => {
    expect(parseOggOpus(oggOpus({ granules: [48_312, -1] })).durationMs).toBe(1000);
  });

  it.each([
    ['not Ogg', Buffer.from('\x1aE\xdf\xa3 webm'), 'not an Ogg file'],
    ['Vorbis', oggOpus({ head: vorbisHead() }), 'must be Opus (this is Vorbis)'],
    ['two streams', oggOpus({ granules: [48_312, 96_312], serials: [0x1234, 0x9999] }), 'one audio track'],
    ['no audio pages', oggOpus({ granules: [] }), 'empty'],
    ['cut in a page', oggOpus().subarray(0, oggOpus().length - 10), 'truncated'],
    ['garbage after the pages', Buffer.concat([oggOpus(), Buffer.from('junk that is not a page at all')]), 'without its OggS mark'],
  ])('refuses %s', (_name, file, message) => {
    expect(() => parseOggOpus(file)).toThrow(AudioFormatError);
    expect(() => parseOggOpus(file)).toThrow(message);
  });
});
