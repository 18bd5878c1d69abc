import { Global, Module } from '@nestjs/common';
import { DomainMetrics } from './domain.metrics';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsService, DomainMetrics],
  exports: [MetricsService, DomainMetrics],
})
export class MetricsModule {}
