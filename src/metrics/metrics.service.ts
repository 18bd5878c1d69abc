import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';

/** One Prometheus registry per application; feature modules add their own counters and gauges to it. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  constructor() {
    this.registry.setDefaultLabels({ app: 'puente' });
    collectDefaultMetrics({ register: this.registry, prefix: 'puente_' });
  }
}
