import { createServer, type Server } from 'node:http';
import { Controller, Get, Header, Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { collectDefaultMetrics, register } from 'prom-client';
import { rootLogger } from '../logger';
import { PLATFORM_OPTIONS, type PlatformOptions } from '../platform.options';

let defaultsOn = false;

function metricsText(): Promise<string> {
  if (!defaultsOn) {
    collectDefaultMetrics({ prefix: 'bz_' });
    defaultsOn = true;
  }
  return register.metrics();
}

const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * /metrics on the service's port is for admin keys only (no @Public, no @Roles): the series name
 * consumers, event types and queue depths. Prometheus scrapes it with a bearer key or, better, on the
 * metrics listener below.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor() {
    void metricsText();
  }

  @Get()
  @Header('content-type', PROMETHEUS_CONTENT_TYPE)
  metrics(): Promise<string> {
    return metricsText();
  }
}

/**
 * With METRICS_PORT set, /metrics is also served without a key on METRICS_HOST:METRICS_PORT, a bind
 * address meant for an internal network only Prometheus reaches. Nothing else is served there.
 */
@Injectable()
export class MetricsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: Server | null = null;

  constructor(@Inject(PLATFORM_OPTIONS) private readonly options: PlatformOptions) {}

  async onApplicationBootstrap(): Promise<void> {
    const { METRICS_PORT: port, METRICS_HOST: host } = this.options.config;
    if (!port) return;
    const server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'GET' || path !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('only GET /metrics is served here\n');
        return;
      }
      metricsText().then(
        (text) => res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    rootLogger().info({ host, port }, `metrics on http://${host}:${port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
