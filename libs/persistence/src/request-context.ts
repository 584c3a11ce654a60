import { AsyncLocalStorage } from 'node:async_hooks';

/** What travels from an HTTP request (or an incoming event) into the events it causes and into the logs. */
export interface RequestContext {
  readonly correlationId: string;
  /** The event that caused this work, when the work is an event handler. */
  readonly causationId: string | null;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}
