/**
 * How a command-line tool of this repository (`npm run simulate`, `npm run bench`) ends when it fails: one line
 * on stderr naming what failed (and, where the tool knows, what to do), exit code 1, never a stack trace; the
 * launcher (scripts/launcher.js) does the same in plain JavaScript.
 */

/** A connection that failed: the usual reason being that the system is not running where the tool looks. */
export function isConnectionFailure(err: unknown): boolean {
  const codes = /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|fetch failed/;
  for (let e = err as { message?: string; code?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (codes.test(`${e.code ?? ''} ${e.message ?? ''}`)) return true;
    e = e.cause as typeof e;
  }
  return false;
}

/**
 * An error as one line: its message with the lines joined, the code of its cause when the message lacks it, and,
 * for an error that is no expected failure (a TypeError, a RangeError), where it was thrown.
 */
export function errorLine(err: unknown): string {
  if (!(err instanceof Error)) return String(err).replace(/\s*\n\s*/g, ' ');
  const cause = err.cause as { code?: string; message?: string } | undefined;
  let line = err.message.replace(/\s*\n\s*/g, ' ').trim() || err.name;
  const detail = cause?.code ?? cause?.message;
  if (detail && !line.includes(detail)) line += ` (${detail})`;
  if (err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError) {
    const at = /\n\s+at (?:.*\()?(\S+?:\d+:\d+)\)?/.exec(err.stack ?? '')?.[1];
    line = `${err.name}: ${line}${at ? ` (at ${at})` : ''}`;
  }
  return line;
}

/** Prints `<tool>: <one line>[; <hint>]` and exits with code 1. `hint` says what to do, when the tool knows. */
export function failAndExit(tool: string, err: unknown, hint?: (err: unknown) => string | null): never {
  const advice = hint?.(err);
  // On a terminal, a progress bar may be half-drawn on the current line: the message replaces it.
  const lead = process.stderr.isTTY ? '\r\x1b[K' : '';
  process.stderr.write(`${lead}${tool}: ${errorLine(err)}${advice ? `; ${advice}` : ''}\n`);
  process.exit(1);
}

/** From here on, an exception or a rejection nobody handles ends the tool the same way, not with a trace. */
export function exitOnUncaught(tool: string, hint?: (err: unknown) => string | null): void {
  const fail = (err: unknown) => failAndExit(tool, err, hint);
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
}
