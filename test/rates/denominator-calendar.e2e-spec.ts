// The registry and rates as processes: a denominator dated 9999-12-31 is refused by the registry, and the
// same denominator arriving from the stream (as a replay of an event accepted before the calendar existed
// would deliver it) neither blocks rates nor keeps it from stopping on SIGTERM.
import { randomUUID } from 'node:crypto';
import { CohortSetV1, ReportAcceptedV1 } from '@app/contracts';
import { EventInjector, http } from '../support/service-harness';
import { waitFor } from '../support/int-env';
import { System } from '../support/system';

jest.setTimeout(180_000);

describe('a denominator dated 9999-12-31: refused by the registry, harmless to rates when it comes from the stream', () => {
  let sys: System;
  let registryEvents: EventInjector;
  let intakeEvents: EventInjector;
  const registry = () => ({ url: sys.url('registry') });
  const rates = () => ({ url: sys.url('rates') });
  const admin = () => ({ key: sys.adminKey });

  /** Answers within two seconds, or not at all: a blocked event loop never answers. */
  async function live(): Promise<boolean> {
    try {
      const res = await fetch(`${sys.url('rates')}/health/live`, { signal: AbortSignal.timeout(2_000) });
      return res.status === 200;
    } catch {
      return false;
    }
  }

  async function report(asOf: string, installed: number): Promise<void> {
    await intakeEvents.publish(ReportAcceptedV1, '29239', {
      reportId: randomUUID(),
      orgUnitCode: '29239',
      cohort: 'residents',
      asOf,
      revision: 1,
      submittedAt: new Date().toISOString(),
      headcount: 4000,
      smartphoneHolders: 3000,
      installed,
      bluetoothOn: Math.floor(installed / 2),
    });
  }

  async function figureInstalled(date: string): Promise<number | null> {
    const res = await http(rates(), 'GET', `/v1/figures?unit=29239&cohort=residents&date=${date}`, admin());
    return res.status === 200 ? (res.body.installed as number) : null;
  }

  beforeAll(async () => {
    sys = await System.create('ratescal', { RATES_FLUSH_DEBOUNCE_MS: '100', LOG_LEVEL: 'warn' });
    await sys.startMany(['registry', 'rates']);
    registryEvents = await EventInjector.open(sys.namespace, 'registry');
    intakeEvents = await EventInjector.open(sys.namespace, 'intake');
    for (const [code, body] of [
      ['84', { name: 'Tỉnh Trà Vinh', type: 'province' }],
      ['842', { name: 'Thành phố Trà Vinh', type: 'district', adminParentCode: '84' }],
      ['29239', { name: 'Phường 1', type: 'commune', adminParentCode: '842' }],
    ] as const) {
      const res = await http(registry(), 'PUT', `/v1/org-units/${code}`, { ...admin(), body });
      expect([200, 201]).toContain(res.status);
    }
  });

  afterAll(async () => {
    await registryEvents?.close();
    await intakeEvents?.close();
    await sys?.dispose();
  });

  it('the registry refuses the denominator with 422 problem+json naming asOf', async () => {
    const res = await http(registry(), 'PUT', '/v1/org-units/29239/cohorts/residents', {
      ...admin(),
      body: { headcount: 5000, asOf: '9999-12-31' },
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'asOf', message: expect.stringContaining('9999-12-31') })]);
    // Nothing stored: the unit has no denominator.
    expect((await http(registry(), 'GET', '/v1/org-units/29239/cohorts', admin())).body).toEqual([]);
  });

  it('rates, handed the same denominator by the stream, stays live, keeps computing, and stops on SIGTERM', async () => {
    await registryEvents.publish(CohortSetV1, '29239', { orgUnitCode: '29239', cohort: 'residents', headcount: 5000, asOf: '9999-12-31' });
    await report('2020-08-20', 1200);

    // A normal report reaches the figures, and liveness answers all the while.
    await waitFor(async () => (await live()) && (await figureInstalled('2020-08-20')) === 1200, 'the report in the figures', 60_000, 250);
    for (let i = 0; i < 5; i++) {
      expect(await live()).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
    }
    await report('2020-08-21', 1500);
    await waitFor(async () => (await figureInstalled('2020-08-21')) === 1500, 'the next report in the figures', 60_000, 250);
    expect(await live()).toBe(true);

    // SIGTERM: the process exits by itself (no SIGKILL needed within the grace period).
    const child = sys.procs.get('rates')!;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    await sys.stop('rates', 10_000);
    expect(await exited).not.toEqual({ code: null, signal: 'SIGKILL' });

    // The stored marks and inputs do not block the next start either.
    sys.start('rates');
    await sys.waitHealthy('rates', 60_000);
    await report('2020-08-22', 1800);
    await waitFor(async () => (await figureInstalled('2020-08-22')) === 1800, 'a report after the restart in the figures', 60_000, 250);
    expect(await live()).toBe(true);
  });
});
