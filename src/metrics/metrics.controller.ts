import { Controller, Get, Header, Headers, UnauthorizedException } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/config.schema';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { MetricsService } from './metrics.service';

@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(@Headers('authorization') authorization?: string) {
    const token = this.config.METRICS_TOKEN;
    // In production the figures (sockets, calls, queues: how busy a service for women in danger is) are never
    // public: without METRICS_TOKEN the endpoint stays closed.
    if (!token && this.config.NODE_ENV === 'production')
      throw new UnauthorizedException('metrics are closed: set METRICS_TOKEN on the node and give Prometheus the same bearer token');
    if (token) {
      const given = Buffer.from(authorization ?? '');
      const wanted = Buffer.from(`Bearer ${token}`);
      if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
        throw new UnauthorizedException("metrics need the operators' bearer token");
    }
    return this.metrics.registry.metrics();
  }
}
