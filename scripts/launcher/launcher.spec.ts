// Unit tier for the launcher's pure parts (the whole launcher is exercised in test/launcher/*.e2e-spec.ts).
/* eslint-disable @typescript-eslint/no-require-imports */
const { readSettings, redactUrl, SERVICES } = require('./settings');
const { formatLogLine, errorLine } = require('./services');
const { pace } = require('./watchdog');

describe('launcher settings', () => {
  it('given no environment, uses the ports of docs/api.md and the default probe addresses', () => {
    const s = readSettings({});
    expect(Object.fromEntries(s.services.map((x: { name: string; port: number }) => [x.name, x.port]))).toEqual({
      compliance: 3000,
      registry: 3001,
      intake: 3002,
      'support-points': 3003,
      workforce: 3004,
      rates: 3005,
      notifier: 3006,
    });
    expect(s.pgProbeUrl).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    expect(s.natsProbeUrl).toBe('nats://127.0.0.1:4222');
    expect(s.databaseUrl).toBeNull();
    expect(s.build).toBe('auto');
  });

  it('given <SERVICE>_PORT, overrides that port only', () => {
    const s = readSettings({ SUPPORT_POINTS_PORT: '4003' });
    expect(s.services.find((x: { name: string }) => x.name === 'support-points').port).toBe(4003);
    expect(SERVICES.map((x: { portVar: string }) => x.portVar)).toContain('SUPPORT_POINTS_PORT');
  });

  it('refuses two services on one port, a port out of range, and an unknown build mode, naming the variable', () => {
    expect(() => readSettings({ INTAKE_PORT: '3001' })).toThrow(/INTAKE_PORT and REGISTRY_PORT are both 3001/);
    expect(() => readSettings({ RATES_PORT: '70000' })).toThrow(/RATES_PORT must be an integer/);
    expect(() => readSettings({ LAUNCHER_BUILD: 'sometimes' })).toThrow(/LAUNCHER_BUILD/);
  });

  it('given nothing, watches liveness with a 30 s limit; refuses a limit under a second, naming the variable', () => {
    expect(readSettings({}).livenessTimeoutMs).toBe(30_000);
    expect(readSettings({ LAUNCHER_LIVENESS_TIMEOUT_MS: '5000' }).livenessTimeoutMs).toBe(5000);
    expect(() => readSettings({ LAUNCHER_LIVENESS_TIMEOUT_MS: '10' })).toThrow(/LAUNCHER_LIVENESS_TIMEOUT_MS must be an integer/);
  });

  it('given LAUNCHER_POSTGRES_DIR, uses it as an absolute path; without it, leaves the choice to postgres-home.js', () => {
    expect(readSettings({ LAUNCHER_POSTGRES_DIR: '/srv/pg/' }).postgresDir).toBe('/srv/pg');
    expect(readSettings({}).postgresDir).toBeNull();
  });

  it('hides passwords in printed URLs', () => {
    expect(redactUrl('postgres://postgres:s3cret@127.0.0.1:5432/bluezone')).toBe('postgres://postgres:***@127.0.0.1:5432/bluezone');
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/bluezone')).toBe('postgres://postgres@127.0.0.1:5432/bluezone');
  });
});

describe('launcher log lines', () => {
  it('condenses a JSON line to time, level, message and the request fields', () => {
    const line = JSON.stringify({
      level: 30,
      time: '2020-08-21T07:05:09.123Z',
      service: 'intake',
      msg: 'request',
      method: 'POST',
      path: '/v1/reports',
      status: 202,
      ms: 4,
    });
    expect(formatLogLine(line, false)).toBe('07:05:09 INFO  request  method=POST path=/v1/reports status=202 ms=4');
  });

  it("hides Nest's start-up chatter unless verbose, and passes non-JSON lines through", () => {
    const chatter = JSON.stringify({
      level: 30,
      time: '2020-08-21T07:05:09.123Z',
      context: 'RouterExplorer',
      msg: 'Mapped {/health, GET} route',
    });
    expect(formatLogLine(chatter, false)).toBeNull();
    expect(formatLogLine(chatter, true)).toContain('Mapped {/health, GET} route');
    expect(formatLogLine('intake: cannot start: connect ECONNREFUSED', false)).toBe('intake: cannot start: connect ECONNREFUSED');
  });
});

describe('the error line of a service log', () => {
  it('given a Node crash on stderr, keeps the error, not its frames, properties or the Node version', () => {
    const crash = [
      '/srv/dist/apps/intake/src/main.js:12',
      '    throw err;',
      '    ^',
      '',
      'Error: listen EADDRINUSE: address already in use 127.0.0.1:3002',
      '    at Server.setupListenHandle [as _listen2] (node:net:1817:16)',
      '    at listenInCluster (node:net:1865:12) {',
      "  code: 'EADDRINUSE',",
      '}',
      '',
      'Node.js v20.20.2',
    ];
    const kept = crash.map((l) => errorLine(l, true)).filter((l: string | null) => l !== null);
    expect(kept.at(-1)).toBe('Error: listen EADDRINUSE: address already in use 127.0.0.1:3002');
  });

  it('given JSON lines, keeps those at level error or above with their error message', () => {
    expect(errorLine(JSON.stringify({ level: 50, msg: 'relay failed', err: { message: 'connection refused' } }), false)).toBe(
      'relay failed: connection refused',
    );
    expect(errorLine(JSON.stringify({ level: 30, msg: 'listening' }), false)).toBeNull();
    expect(errorLine('plain stdout line', false)).toBeNull();
  });

  it('hides stack frames from the terminal unless verbose (they stay in the log file)', () => {
    expect(formatLogLine('    at Object.<anonymous> (/srv/x.js:1:1)', false)).toBeNull();
    expect(formatLogLine('Node.js v20.20.2', false)).toBeNull();
    expect(formatLogLine('    at Object.<anonymous> (/srv/x.js:1:1)', true)).toBe('    at Object.<anonymous> (/srv/x.js:1:1)');
  });
});

describe('the liveness watchdog pace', () => {
  it('asks several times within the limit, each answer awaited for a fraction of it, within sane bounds', () => {
    expect(pace(30_000)).toEqual({ everyMs: 5000, requestMs: 5000 });
    expect(pace(5000)).toEqual({ everyMs: 833, requestMs: 1667 });
    expect(pace(1000)).toEqual({ everyMs: 200, requestMs: 500 });
  });
});
