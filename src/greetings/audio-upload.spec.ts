import { BadRequestException } from '@nestjs/common';
import { checkOpusUpload, requireConsent } from './audio-upload';
import { oggOpus } from './ogg.fixture';
import { webm } from './webm.fixture';

const file = (buffer: Buffer) => ({ buffer, size: buffer.length });
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(BadRequestException);
    return (e as BadRequestException).getResponse() as { fields: string[]; message: string[] };
  }
  throw new Error('not refused');
};

describe('an uploaded recording', () => {
  const both = { maxMs: 5000, accept: ['audio/webm', 'audio/ogg'] as const, what: 'a spoken name' };

  it('is WebM or Ogg Opus, told apart by its bytes', () => {
    expect(checkOpusUpload(file(webm()), both)).toMatchObject({ contentType: 'audio/webm', durationMs: 40 });
    expect(checkOpusUpload(file(oggOpus()), both)).toMatchObject({ contentType: 'audio/ogg', durationMs: 1000, size: oggOpus().length });
  });

  it('is refused as Ogg where only WebM is allowed, and when too long, naming the file field', () => {
    expect(refusal(() => checkOpusUpload(file(oggOpus()), { ...both, accept: ['audio/webm'] }))).toEqual(
      expect.objectContaining({ fields: ['file'], message: ['file: not a WebM file'] }),
    );
    expect(refusal(() => checkOpusUpload(file(oggOpus({ granules: [6 * 48_000] })), both)).message).toEqual([
      'file lasts 6.0 s; a spoken name is at most 5 s',
    ]);
    expect(refusal(() => checkOpusUpload(undefined, both)).fields).toEqual(['file']);
  });

  it('needs consent to be true', () => {
    expect(() => requireConsent('true', 'x')).not.toThrow();
    expect(() => requireConsent(true, 'x')).not.toThrow();
    expect(refusal(() => requireConsent('yes', 'consent must be true')).fields).toEqual(['consent']);
  });
});
