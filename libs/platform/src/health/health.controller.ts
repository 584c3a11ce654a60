import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { NatsLink } from '@app/messaging';
import { Public } from '../auth/auth.decorators';

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
    @Inject(NatsLink) private readonly nats: NatsLink,
  ) {}

  /** Readiness: PostgreSQL answers and NATS is connected. 503 otherwise. */
  @Get()
  @HealthCheck()
  readiness() {
    return this.health.check([() => this.database(), () => this.natsCheck()]);
  }

  /** Liveness: the process serves HTTP. */
  @Get('live')
  liveness() {
    return { status: 'ok' };
  }

  private async database() {
    const i = this.indicators.check('database');
    try {
      await this.dataSource.query('SELECT 1');
      return i.up();
    } catch (err) {
      return i.down({ message: (err as Error).message });
    }
  }

  private natsCheck() {
    const i = this.indicators.check('nats');
    return this.nats.isConnected() ? i.up() : i.down({ message: 'not connected' });
  }
}
