/** SQLSTATE of a PostgreSQL error, whether TypeORM wrapped it or not. */
export function sqlState(err: unknown): string | undefined {
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * PostgreSQL cannot be reached or cannot take the work now (down, restarting, every connection busy,
 * a connection ended under the query, a deadlock or serialization failure): the same work may succeed
 * when retried. The HTTP layer answers 503 for it; event consumers retry it and never dead-letter it.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  const state = sqlState(err);
  if (state && /^(08|53|57P0[123]|40001|40P01)/.test(state)) return true;
  if (
    typeof e?.code === 'string' &&
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE'].includes(e.code)
  )
    return true;
  return /timeout exceeded when trying to connect|too many clients|remaining connection slots|Connection terminated|Client has encountered a connection error|connection is closed|is not currently accepting connections|the database system is (starting up|shutting down|in recovery mode)/i.test(
    String(e?.message ?? ''),
  );
}

/**
 * A value PostgreSQL refused as data (SQLSTATE class 22: out of range, too long, bad encoding) reached
 * the database although validation should have refused it.
 */
export function isDataException(err: unknown): boolean {
  return sqlState(err)?.startsWith('22') ?? false;
}

/**
 * The constraint a unique violation (SQLSTATE 23505) broke, or null for any other error: two requests that both
 * checked a value free and both wrote it meet here, and the loser is answered as the check would have answered it.
 */
export function uniqueViolationOf(err: unknown): string | null {
  if (sqlState(err) !== '23505') return null;
  const e = err as { constraint?: unknown; driverError?: { constraint?: unknown } };
  const name = e?.driverError?.constraint ?? e?.constraint;
  return typeof name === 'string' ? name : '';
}
