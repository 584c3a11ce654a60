import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import type { RunServiceOptions } from './bootstrap';
import { loadConfig, type ServiceConfig } from './config/service-config';

export const MIGRATIONS_ONLY_ENV = 'BZ_MIGRATIONS_ONLY';

/**
 * Runs, lists or reverts a service's migrations with the service's own module (so the list is the one
 * the service runs at start), without NATS, consumers or HTTP.
 */
export async function runMigrationsCommand<C extends ServiceConfig>(
  def: RunServiceOptions<C>,
  action: 'run' | 'show' | 'revert',
): Promise<string[]> {
  process.env[MIGRATIONS_ONLY_ENV] = '1';
  const config = loadConfig(def.configClass);
  // Creating the context initialises the data source, which applies pending migrations ("run").
  const app = await NestFactory.createApplicationContext(def.module(config) as never, { logger: ['error'], abortOnError: false });
  try {
    const ds = app.get(DataSource);
    const out: string[] = [];
    if (action === 'revert') {
      await ds.undoLastMigration({ transaction: 'each' });
      out.push('reverted the last migration');
    }
    const applied: Array<{ name: string }> = await ds.query(`SELECT name FROM migrations ORDER BY id`);
    const names = new Set(applied.map((r) => r.name));
    for (const m of ds.migrations) out.push(`${names.has(m.name ?? m.constructor.name) ? '[x]' : '[ ]'} ${m.name ?? m.constructor.name}`);
    return out;
  } finally {
    await app.close();
  }
}
