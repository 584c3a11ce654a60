// Workforce and rates as processes (issue 20): a roster upload that would drop 119 of 120 workers is held
// pending and changes nothing until confirmed; a dry run changes nothing. "Nothing" is what the rest of the
// system sees: the enterprise's figure in rates and the roster events on the bus, compared before and after.
import { unbundle } from '@app/contracts';
import { rosterCsv } from '../../apps/workforce/test/roster-fixtures';
import { streamEvents } from '../../apps/workforce/test/roster-fixtures';
import { publishWorld, type WorkforceKeys } from '../../apps/workforce/test/workforce-world';
import { waitFor } from '../support/int-env';
import { EventInjector, http } from '../support/service-harness';
import { System } from '../support/system';

jest.setTimeout(240_000);

const AS_OF = '2020-08-20';

describe('roster uploads that change nothing until confirmed (workforce and rates as processes)', () => {
  let sys: System;
  let events: EventInjector;
  let keys: WorkforceKeys;
  const workforce = () => ({ url: sys.url('workforce') });

  beforeAll(async () => {
    sys = await System.create('wfholds', { RATES_FLUSH_DEBOUNCE_MS: '100', LOG_LEVEL: 'warn' });
    await sys.startMany(['workforce', 'rates']);
    events = await EventInjector.open(sys.namespace);
    keys = await publishWorld(events);
    await waitFor(async () => (await http(workforce(), 'GET', '/v1/whoami', { key: keys.ezBoard })).status === 200, 'the key replica');
  });
  afterAll(async () => {
    await events?.close();
    await sys?.dispose();
  });

  const upload = (file: Buffer, dryRun = false) =>
    http(workforce(), 'POST', `/v1/enterprises/DN-A/rosters?asOf=${AS_OF}${dryRun ? '&dryRun=true' : ''}`, {
      key: keys.ezBoard,
      raw: file,
      headers: { 'content-type': 'text/csv', 'accept-language': 'en' },
    });

  /** The enterprise's whole figure in rates (all four counts, both rates, population, reporting units). */
  async function figure(): Promise<Record<string, unknown> | null> {
    const res = await http({ url: sys.url('rates') }, 'GET', `/v1/figures?unit=DN-A&cohort=enterprise_workers&date=${AS_OF}`, {
      key: sys.adminKey,
    });
    return res.status === 200 ? (res.body as Record<string, unknown>) : null;
  }
  const rosterEvents = async () =>
    (await streamEvents(sys.namespace, sys.natsUrl))
      .filter((e) => e.envelope.type === 'workforce.roster.imported')
      .map((e) => e.envelope.id);
  /**
   * Every event on the bus, of every producer (workforce's and what rates computed from them), by type and id; a bundle
   * of rates' figures as the events it stands for (unbundle: each with the bundle's id).
   */
  const allEvents = async () =>
    (await streamEvents(sys.namespace, sys.natsUrl)).flatMap((e) => unbundle(e.envelope)).map((e) => `${e.type} ${e.id}`);

  /** Both views, after waiting long enough for an event, had one been published, to reach rates. */
  async function observe() {
    await new Promise((r) => setTimeout(r, 3_000));
    return { figure: await figure(), rosterEvents: await rosterEvents(), events: await allEvents() };
  }

  it('holds a file dropping 119 of 120 workers, and a dry run, without changing the figure or publishing; the confirmation does', async () => {
    const full = await upload(rosterCsv(120));
    expect(full.status).toBe(201);
    await waitFor(async () => (await figure())?.headcount === 120, 'the 120-worker roster in the rates figure', 60_000, 250);
    const before = await observe();
    expect(before.rosterEvents).toHaveLength(1);
    expect(before.figure).toMatchObject({ headcount: 120, orgUnitCode: 'DN-A', cohort: 'enterprise_workers' });
    expect(before.events.some((e) => e.startsWith('rates.figure.updated '))).toBe(true);

    const dry = await upload(rosterCsv(1), true);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      state: 'preview',
      diff: { left: 119 },
      figures: { before: { headcount: 120 }, after: { headcount: 1 } },
    });
    expect(await observe()).toEqual(before);

    const held = await upload(rosterCsv(1));
    expect(held.status).toBe(202);
    expect(held.body).toMatchObject({ state: 'pending', revision: null, diff: { joined: 0, left: 119 } });
    expect(held.body.message).toMatch(/would remove 119 of the 120 workers/);
    expect(await observe()).toEqual(before);
    // The newer upload superseded the dry run: only the pending one waits, and the EZ board sees it.
    const waiting = await http(workforce(), 'GET', '/v1/roster-imports', { key: keys.ezBoard });
    expect(waiting.body).toEqual([
      expect.objectContaining({ id: held.body.importId, state: 'pending', previewToken: held.body.previewToken }),
    ]);
    const staleDry = await http(workforce(), 'POST', `/v1/roster-imports/${dry.body.importId}/confirm`, {
      key: keys.ezBoard,
      body: { previewToken: dry.body.previewToken },
    });
    expect(staleDry.status).toBe(409);
    expect(await observe()).toEqual(before);

    const confirmed = await http(workforce(), 'POST', `/v1/roster-imports/${held.body.importId}/confirm`, {
      key: keys.ezBoard,
      body: { previewToken: held.body.previewToken },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ state: 'completed', revision: 2 });
    await waitFor(async () => (await figure())?.headcount === 1, 'the confirmed roster in the rates figure', 60_000, 250);
    const after = await observe();
    expect(after.rosterEvents).toEqual([...before.rosterEvents, expect.any(String)]);
    // Only the confirmation published: its roster event and what rates computed from it, after everything seen before.
    expect(after.events.slice(0, before.events.length)).toEqual(before.events);
    expect(after.events.length).toBeGreaterThan(before.events.length + 1);
  });
});
