import 'reflect-metadata';
import { MESSAGE_METADATA } from '@nestjs/websockets/constants';
import { toWsError } from '../realtime/ws-errors';
import { asHttpException, MediaConflict, MediaInvalid, MediaNotFound } from './media-errors';
import { MEDIA_EVENTS, MEDIA_RPC } from './media-rpc';
import { MediaGateway } from './media.gateway';

describe('the media operations table', () => {
  const handlers = Object.getOwnPropertyNames(MediaGateway.prototype).filter((name) =>
    Reflect.hasMetadata(MESSAGE_METADATA, MediaGateway.prototype[name as keyof MediaGateway]),
  );

  it('has one gateway handler per client event, validating with the operation’s DTO', () => {
    const seen = handlers.map((name) => {
      const event = Reflect.getMetadata(MESSAGE_METADATA, MediaGateway.prototype[name as keyof MediaGateway]) as keyof typeof MEDIA_EVENTS;
      const [, payload] = Reflect.getMetadata('design:paramtypes', MediaGateway.prototype, name) as unknown[];
      expect(payload).toBe(MEDIA_RPC[MEDIA_EVENTS[event]].dto);
      return event;
    });
    expect(seen.sort()).toEqual(Object.keys(MEDIA_EVENTS).sort());
  });

  it('answers a refused media rule with the acknowledgement code of API.md', () => {
    expect(toWsError(asHttpException(new MediaNotFound('no such transport')))).toEqual({
      error: { code: 'NOT_FOUND', message: 'no such transport' },
    });
    expect(toWsError(asHttpException(new MediaConflict('an audio producer already exists')))).toEqual({
      error: { code: 'CONFLICT', message: 'an audio producer already exists' },
    });
    expect(toWsError(asHttpException(new MediaInvalid('rtpCapabilities', 'rtpCapabilities cannot receive this producer')))).toEqual({
      error: { code: 'VALIDATION', message: 'rtpCapabilities cannot receive this producer', fields: ['rtpCapabilities'] },
    });
  });
});
