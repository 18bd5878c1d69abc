import { BadRequestException } from '@nestjs/common';
import { AudioFormatError } from './audio-format-error';
import { isOgg, parseOggOpus } from './ogg';
import { parseWebmAudio } from './webm';

/**
 * What greetings and spoken language names share about an uploaded recording: the consent field, the file
 * checked from its own bytes (Opus in WebM, or in Ogg where allowed), its length, and multer's limits.
 */
export type OpusContainer = 'audio/webm' | 'audio/ogg';

export interface UploadedAudio {
  buffer: Buffer;
  size: number;
}

export interface CheckedAudio {
  contentType: OpusContainer;
  durationMs: number;
  size: number;
  audio: Buffer;
}

/** Where the recorder's last block falls: half a second of slack over the announced maximum. */
const DURATION_SLACK_MS = 500;

export const fieldError = (field: string, message: string) =>
  new BadRequestException({ statusCode: 400, error: 'Bad Request', message: [message], fields: [field] });

/** Multipart `consent` arrives as the string 'true'; a JSON-minded client may send true. */
export function requireConsent(consent: unknown, message: string): void {
  if (consent !== 'true' && consent !== true) throw fieldError('consent', message);
}

/** In memory only (never a temporary file); multer's LIMIT_FILE_SIZE becomes a 413. One file and a consent field. */
export const audioUploadLimits = (maxBytes: number) => ({ limits: { fileSize: maxBytes, files: 1, fields: 2, parts: 3 } });

/**
 * The file's container, codec and length, whatever type it was declared with; a 400 naming `file` otherwise.
 * `what` names the thing in the message ("a greeting is at most 10 s").
 */
export function checkOpusUpload(
  file: UploadedAudio | undefined,
  rules: { maxMs: number; accept: readonly OpusContainer[]; what: string },
): CheckedAudio {
  if (!file?.size)
    throw fieldError('file', `file is required (${rules.accept.includes('audio/ogg') ? 'a WebM or Ogg Opus' : 'a WebM/Opus'} recording)`);
  let parsed: { contentType: OpusContainer; durationMs: number };
  try {
    parsed =
      isOgg(file.buffer) && rules.accept.includes('audio/ogg')
        ? { contentType: 'audio/ogg', durationMs: parseOggOpus(file.buffer).durationMs }
        : { contentType: 'audio/webm', durationMs: parseWebmAudio(file.buffer).durationMs };
  } catch (e) {
    if (e instanceof AudioFormatError) throw fieldError('file', `file: ${e.message}`);
    throw e;
  }
  if (parsed.durationMs > rules.maxMs + DURATION_SLACK_MS) {
    throw fieldError('file', `file lasts ${(parsed.durationMs / 1000).toFixed(1)} s; ${rules.what} is at most ${rules.maxMs / 1000} s`);
  }
  return { contentType: parsed.contentType, durationMs: Math.max(1, parsed.durationMs), size: file.size, audio: file.buffer };
}
