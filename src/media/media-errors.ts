import { ConflictException, HttpException, NotFoundException } from '@nestjs/common';
import { badField } from '../common/validation';

/**
 * What a media rule refuses, kept free of Nest so that Room and Peer can be tested alone. The signalling
 * turns each into the acknowledgement code its class names (API.md) with `asHttpException`.
 */
export abstract class MediaError extends Error {}

/** An id she names is not hers, or not in her call (NOT_FOUND). */
export class MediaNotFound extends MediaError {
  override name = 'MediaNotFound';
}

/** A cap or an order of steps is broken: a second send transport, video before `media:video`... (CONFLICT). */
export class MediaConflict extends MediaError {
  override name = 'MediaConflict';
}

/** A field of her payload is wrong, as mediasoup or the voice policy says (VALIDATION, naming the field). */
export class MediaInvalid extends MediaError {
  override name = 'MediaInvalid';

  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export function asHttpException(e: MediaError): HttpException {
  if (e instanceof MediaInvalid) return badField(e.field, e.message);
  if (e instanceof MediaConflict) return new ConflictException(e.message);
  return new NotFoundException(e.message);
}

/**
 * mediasoup refuses malformed parameters with a TypeError (from its Node layer, or from the worker, which
 * appends the channel method it was answering), and parameters no router codec matches with an
 * UnsupportedError: that is the client's error, not ours.
 */
export async function asClientError<T>(field: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof TypeError || (e as Error)?.name === 'UnsupportedError') {
      const reason = (e as Error).message.replace(/ \[method:[\w.]+\]$/, '');
      throw new MediaInvalid(field, `${field}: ${reason}`);
    }
    throw e;
  }
}
