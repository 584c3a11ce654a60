import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import { currentContext } from '@app/persistence';

let root: Logger | null = null;

/** One JSON logger per process; every line carries the service and, inside a request or handler, its correlation id. */
export function rootLogger(service?: string, level?: string): Logger {
  if (!root) {
    root = pino({
      level: level ?? process.env.LOG_LEVEL ?? 'info',
      base: { service: service ?? process.env.SERVICE_NAME ?? 'bluezone', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin() {
        const ctx = currentContext();
        return ctx ? { correlationId: ctx.correlationId, causationId: ctx.causationId ?? undefined } : {};
      },
    });
  }
  return root;
}

/** Nest's logger interface on top of pino. */
export class JsonLogger implements LoggerService {
  constructor(private readonly pinoLogger: Logger) {}
  log(message: unknown, context?: string): void {
    this.pinoLogger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.pinoLogger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.pinoLogger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.pinoLogger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.pinoLogger.trace({ context }, String(message));
  }
}
