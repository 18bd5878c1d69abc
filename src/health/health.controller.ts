import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type Redis from 'ioredis';
import { Public } from '../auth/auth.decorators';
import { MediaService } from '../media/media.service';
import { REDIS } from '../redis/redis.module';
import { withTimeout } from '../common/with-timeout';

const PROBE_TIMEOUT_MS = 1500;

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly media: MediaService,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process answers' })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: PostgreSQL, Redis and the mediasoup workers (503 when any is down)' })
  ready() {
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: PROBE_TIMEOUT_MS }),
      () => this.redisCheck(),
      () => this.workersCheck(),
    ]);
  }

  private async redisCheck() {
    const check = this.indicators.check('redis');
    try {
      const pong = await withTimeout(this.redis.ping(), PROBE_TIMEOUT_MS, 'timeout');
      return pong === 'PONG' ? check.up() : check.down({ message: 'unexpected reply' });
    } catch (e) {
      return check.down({ message: (e as Error).message });
    }
  }

  private workersCheck() {
    const check = this.indicators.check('mediasoup');
    const workers = this.media.workerStatus();
    const alive = workers.filter((w) => w.alive).length;
    const data = { alive, configured: workers.length };
    return alive > 0 && alive === workers.length ? check.up(data) : check.down(data);
  }
}
