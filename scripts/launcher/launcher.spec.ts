// Unit tier for the launcher's pure parts (the whole launcher is exercised in test/launcher/*.e2e-spec.ts).
/* eslint-disable @typescript-eslint/no-require-imports */
const { readSettings, redactUrl, SERVICES } = require('./settings');
const { formatLogLine } = require('./services');

describe('launcher settings', () => {
  it('given no environment, uses the ports of DESIGN.md and the default probe addresses', () => {
    const s = readSettings({});
    expect(Object.fromEntries(s.services.map((x: { name: string; port: number }) => [x.name, x.port]))).toEqual({
      compliance: 3000,
      registry: 3001,
      intake: 3002,
      'support-points': 3003,
      workforce: 3004,
      rates: 3005,
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
