import { Global, Module } from '@nestjs/common';
import { EventBus } from './event-bus';

/** The internal event bus, one per application (so per node). */
@Global()
@Module({
  providers: [EventBus],
  exports: [EventBus],
})
export class EventsModule {}
