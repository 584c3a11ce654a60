import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { NatsLink } from '@app/messaging';
import { Public } from '../auth/auth.decorators';
import { ProblemException } from '../http/problem.filter';

/** How long readiness waits for PostgreSQL before calling it down (a pool waiting to connect would hang the probe). */
const DATABASE_PROBE_TIMEOUT_MS = 3000;
/** The dependency each check is about, as an operator names it. */
const DEPENDENCY: Record<string, string> = { database: 'PostgreSQL', nats: 'NATS' };

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

  /**
   * Readiness: PostgreSQL answers and NATS is connected (200, Terminus' report). Otherwise 503 as
   * problem+json naming each dependency that is down, with Retry-After; the report is in `checks`.
   */
  @Get()
  @HealthCheck()
  async readiness(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.database(), () => this.natsCheck()]);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      const report = err.getResponse() as HealthCheckResult;
      const down = Object.entries(report.error ?? {}).map(([k, v]) => `${DEPENDENCY[k] ?? k} (${k}): ${String(v?.message ?? 'down')}`);
      throw new ProblemException(503, `not ready: ${down.join('; ')}`, undefined, { retryAfterSeconds: 5, checks: report.details });
    }
  }

  /** Liveness: the process serves HTTP (its event loop is watched by the watchdog, see watchdog/). */
  @Get('live')
  liveness() {
    return { status: 'ok' };
  }

  private async database() {
    const i = this.indicators.check('database');
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise(
          (_, reject) =>
            (timer = setTimeout(() => reject(new Error(`no answer within ${DATABASE_PROBE_TIMEOUT_MS} ms`)), DATABASE_PROBE_TIMEOUT_MS)),
        ),
      ]);
      return i.up();
    } catch (err) {
      // The error's code (ECONNREFUSED, 57P03, …), not its message: /health is public and messages name hosts.
      const e = err as { code?: unknown; message?: string };
      return i.down({ message: typeof e.code === 'string' ? `unreachable (${e.code})` : (e.message ?? 'unreachable') });
    } finally {
      clearTimeout(timer);
    }
  }

  private natsCheck() {
    const i = this.indicators.check('nats');
    return this.nats.isConnected() ? i.up() : i.down({ message: 'not connected' });
  }
}
