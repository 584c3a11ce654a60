import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import { DataSource } from 'typeorm';
import type { ServiceName } from '@app/contracts';
import { runWithContext } from '@app/persistence';
import { ConfigError, loadConfig, type ServiceConfig } from './config/service-config';
import { clientErrorHandler, frameworkErrors, refuseLongUrls } from './http/fastify-errors';
import { registerInputGuards } from './http/input-guards';
import { ProblemFilter } from './http/problem.filter';
import { registerRateLimits } from './http/rate-limits';
import { registerSecurityHeaders } from './http/security-headers';
import { parseTrustProxy } from './http/trust-proxy';
import { createValidationPipe } from './http/validation';
import { JsonLogger, rootLogger } from './logger';
import { startEventLoopWatchdog } from './watchdog/event-loop-watchdog';

export interface RunServiceOptions<C extends ServiceConfig> {
  readonly service: ServiceName;
  readonly title: string;
  readonly description: string;
  readonly defaultPort: number;
  readonly configClass: new () => C;
  readonly module: (config: C) => unknown;
  readonly bodyLimitBytes?: number;
  readonly configureFastify?: (fastify: FastifyInstance) => void | Promise<void>;
}

export const CORRELATION_HTTP_HEADER = 'x-correlation-id';

/** Builds the HTTP application of a service (used by main.ts and by integration tests). */
export async function createServiceApp<C extends ServiceConfig>(options: RunServiceOptions<C>, config: C): Promise<NestFastifyApplication> {
  const log = rootLogger(options.service, config.LOG_LEVEL);
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimitBytes ?? 5 * 1024 * 1024,
    // Off unless TRUST_PROXY names the proxies: otherwise any client could pick its address (rate limits)
    // and protocol (the dashboard cookie's Secure flag) through X-Forwarded-* headers.
    trustProxy: parseTrustProxy(config.TRUST_PROXY),
    frameworkErrors,
    clientErrorHandler,
  });
  const fastify = adapter.getInstance();
  // Carry a correlation id from the request into the logs and the events the request causes. First, so
  // that every answer carries one, a refusal by the hooks below (414, 429) included.
  fastify.addHook('onRequest', (req, reply, done) => {
    const given = req.headers[CORRELATION_HTTP_HEADER];
    const correlationId = typeof given === 'string' && /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();
    void reply.header(CORRELATION_HTTP_HEADER, correlationId);
    runWithContext({ correlationId, causationId: null }, done);
  });
  refuseLongUrls(fastify);
  registerSecurityHeaders(fastify);
  await registerRateLimits(fastify, config);
  fastify.addHook('onResponse', (req, reply, done) => {
    // The line's fields are built only when it is written (LOG_LEVEL at info or below).
    if (log.isLevelEnabled('info') && !req.url.startsWith('/health') && !req.url.startsWith('/metrics')) {
      log.info({ method: req.method, path: req.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    }
    done();
  });
  // CSV uploads (org-unit and report imports) arrive as text; larger files are streamed by the services that take them.
  fastify.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
  registerInputGuards(fastify);
  await options.configureFastify?.(fastify);

  const app = await NestFactory.create<NestFastifyApplication>(options.module(config) as never, adapter, {
    logger: new JsonLogger(log),
    abortOnError: false,
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemFilter((err) => log.error({ err }, 'unhandled error')));
  app.enableShutdownHooks();
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(options.title)
      .setDescription(options.description)
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key' })
      .addSecurityRequirements('bearer')
      .build(),
  );
  SwaggerModule.setup('docs', app, doc, { jsonDocumentUrl: 'docs/json' });
  return app;
}

/** main.ts of every service: validate the environment, build, listen; any failure to start is one line and exit 1. */
export async function runService<C extends ServiceConfig>(options: RunServiceOptions<C>): Promise<NestFastifyApplication | undefined> {
  let config: C;
  try {
    config = loadConfig(options.configClass);
  } catch (err) {
    process.stderr.write(`${options.service}: ${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
    process.exit(1);
  }
  try {
    const app = await createServiceApp(options, config);
    const port = config.PORT ?? options.defaultPort;
    await app.listen({ port, host: config.HOST });
    rootLogger().info({ port, host: config.HOST }, `${options.service} listening on http://${config.HOST}:${port}`);
    // In the service process only (not in tests that host a service in the test runner's process).
    if (config.EVENT_LOOP_BLOCK_LIMIT_MS > 0)
      startEventLoopWatchdog({ limitMs: config.EVENT_LOOP_BLOCK_LIMIT_MS, service: options.service });
    return app;
  } catch (err) {
    process.stderr.write(`${options.service}: cannot start: ${oneLine(err)}\n`);
    process.exit(1);
  }
}

function oneLine(err: unknown): string {
  const e = err as { message?: string; code?: string };
  const msg = (e?.message ?? String(err)).split('\n')[0];
  return e?.code && !msg.includes(e.code) ? `${msg} (${e.code})` : msg;
}

/** Closes the data source when the app closes (after the event runtime has drained). */
export async function closeDataSource(app: NestFastifyApplication): Promise<void> {
  const ds = app.get(DataSource);
  if (ds.isInitialized) await ds.destroy();
}
