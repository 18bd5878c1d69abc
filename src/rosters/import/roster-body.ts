import { HttpException, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import { raw, type Request } from 'express';
import { decodeUtf8 } from './roster-file.reader';
import { badField } from '../../common/validation';

const badBody = (message: string) => badField('body', message);

/** Reads the raw bytes (inflated if gzip/deflate), refusing more than `limit` as soon as it is known. */
function readRaw(req: Request, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    raw({ type: () => true, limit })(req, req.res!, (err?: { status?: number; type?: string }) => {
      if (!err) return resolve(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
      if (err.status === 413)
        return reject(new PayloadTooLargeException(`the body is larger than ROSTER_IMPORT_MAX_BYTES (${limit} bytes)`));
      if (err.status === 415)
        return reject(new UnsupportedMediaTypeException('unsupported Content-Encoding: send the file as it is, or gzip'));
      reject(
        new HttpException(err.type === 'request.aborted' ? 'the upload was interrupted' : 'the body could not be read', err.status ?? 400),
      );
    }),
  );
}

/**
 * The roster import's body when it is not a multipart upload: read here, in the handler, so only after
 * authentication and the role check (every other route's body is capped at 64 KB before anything else runs).
 * The bytes are decoded as strict UTF-8 whatever charset the Content-Type claims: a CSV comes back as bytes for
 * the importer to decode (and refuse, like an uploaded file, if it is not UTF-8), a JSON body as its rows.
 */
export async function readRosterBody(req: Request, limit: number): Promise<Buffer | unknown[]> {
  const csv = !!req.is(['text/csv', 'text/plain']);
  if (!csv && !req.is('application/json')) {
    throw new UnsupportedMediaTypeException('send text/csv, a JSON array (application/json) or multipart/form-data with a file field');
  }
  const bytes = await readRaw(req, limit);
  if (csv) return bytes;
  let rows: unknown;
  try {
    rows = JSON.parse(decodeUtf8(bytes));
  } catch {
    throw badBody('the body is not valid JSON in UTF-8');
  }
  if (!Array.isArray(rows)) throw badBody('a JSON body must be an array of roster rows');
  return rows;
}
