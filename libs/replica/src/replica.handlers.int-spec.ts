import fc from 'fast-check';
import type { DataSource, EntityManager } from 'typeorm';
import type { EventEnvelope, OrgUnitRetiredV1Data, OrgUnitUpsertedV1Data, UnitType } from '@app/contracts';
import { createServiceDataSource, initializeAndMigrate } from '@app/persistence';
import { dropDatabase, freshDatabase } from '@test/support/int-env';
import { REGISTRY_REPLICA_MIGRATIONS } from './replica.migration';
import { RegistryReplicaHandlers } from './replica.handlers';

/**
 * Every replica must converge to the registry's state whatever order JetStream delivers the registry's
 * events in, with redeliveries: a property over random unit histories (upserts that rename, move,
 * deactivate and reactivate, retirements, upserts after a retirement), each delivered in a random
 * permutation with duplicates. Shown failing on the old rule (`UPDATE … SET active = false, revision = $2
 * WHERE revision < $2`): a retirement delivered before the unit's first upsert was lost.
 */
type RegistryEvent = { kind: 'upsert'; data: OrgUnitUpsertedV1Data } | { kind: 'retire'; data: OrgUnitRetiredV1Data };

interface RegistryUnit {
  name: string;
  type: UnitType;
  adminParentCode: string | null;
  active: boolean;
}

const CODES = ['U1', 'U2', 'U3', 'U4'];

const upserted = (
  d: Pick<OrgUnitUpsertedV1Data, 'code' | 'name' | 'type' | 'adminParentCode' | 'active' | 'revision'>,
): OrgUnitUpsertedV1Data => ({
  bloc: null,
  accountableToCode: null,
  head: null,
  level: null,
  ...d,
});
const TYPES: UnitType[] = ['district', 'commune', 'school'];

/** One unit's history as the registry writes it: revisions 1, 2, 3 … in order; the first change is an upsert. */
const unitHistory = (code: string) =>
  fc
    .array(
      fc.oneof(
        fc.record({
          kind: fc.constant('upsert' as const),
          name: fc.constantFrom('Alpha', 'Beta', 'Gamma'),
          type: fc.constantFrom(...TYPES),
          adminParentCode: fc.constantFrom(null, ...CODES.filter((c) => c !== code)),
          active: fc.boolean(),
        }),
        fc.record({ kind: fc.constant('retire' as const) }),
      ),
      { minLength: 0, maxLength: 4 },
    )
    .map((changes): RegistryEvent[] => {
      const first = { kind: 'upsert' as const, name: 'First', type: 'commune' as UnitType, adminParentCode: null, active: true };
      return [first, ...changes].map((c, i) =>
        c.kind === 'upsert'
          ? {
              kind: 'upsert',
              data: upserted({ code, name: c.name, type: c.type, adminParentCode: c.adminParentCode, active: c.active, revision: i + 1 }),
            }
          : { kind: 'retire', data: { code, retiredOn: '2020-08-20', revision: i + 1 } },
      );
    });

/** The registry's own state: its events applied in the order it wrote them. */
function registryState(events: RegistryEvent[]): Map<string, RegistryUnit> {
  const units = new Map<string, RegistryUnit>();
  for (const e of events) {
    if (e.kind === 'upsert') {
      const d = e.data;
      units.set(d.code, { name: d.name, type: d.type, adminParentCode: d.adminParentCode, active: d.active });
    } else {
      units.set(e.data.code, { ...units.get(e.data.code)!, active: false });
    }
  }
  return units;
}

/** The events of every unit, delivered in a shuffled order with some of them twice. */
const deliveries = fc
  .tuple(...CODES.map(unitHistory))
  .chain((histories) => {
    const all = histories.flat();
    return fc.tuple(
      fc.constant(all),
      fc.shuffledSubarray(all, { minLength: 0, maxLength: all.length }),
      fc.array(fc.nat(), { minLength: all.length, maxLength: all.length }),
    );
  })
  .map(([all, again, keys]) => {
    const sent = [...all, ...again].map((e, i) => ({ e, key: keys[i % keys.length] * 1000 + i }));
    return { registry: all, delivered: sent.sort((a, b) => a.key - b.key).map((s) => s.e) };
  });

describe('registry replica: converges to the registry state under any delivery order', () => {
  let url: string;
  let ds: DataSource;
  const handlers = new RegistryReplicaHandlers();
  const envelope = <D>(data: D) => ({ data }) as EventEnvelope<string, D>;

  beforeAll(async () => {
    url = await freshDatabase('replicaorder');
    ds = createServiceDataSource({ url, schema: 'svc', migrations: REGISTRY_REPLICA_MIGRATIONS, poolSize: 2 });
    await initializeAndMigrate(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    if (url) await dropDatabase(url);
  });

  const deliver = (e: RegistryEvent) =>
    ds.transaction((m: EntityManager) =>
      e.kind === 'upsert' ? handlers.unitUpserted(envelope(e.data), m) : handlers.unitRetired(envelope(e.data), m),
    );

  it('every unit ends with the name, type, parent and active flag the registry holds', async () => {
    await fc.assert(
      fc.asyncProperty(deliveries, async ({ registry, delivered }) => {
        await ds.query(`TRUNCATE replica_org_units, replica_org_unit_retirements`);
        for (const e of delivered) await deliver(e);
        const rows: Array<{ code: string; name: string; type: UnitType; admin_parent_code: string | null; active: boolean }> =
          await ds.query(`SELECT code, name, type, admin_parent_code, active FROM replica_org_units ORDER BY code`);
        const replica = new Map(
          rows.map((r) => [r.code, { name: r.name, type: r.type, adminParentCode: r.admin_parent_code, active: r.active }]),
        );
        expect(replica).toEqual(registryState(registry));
      }),
      { numRuns: 60 },
    );
  });

  it('a retirement delivered before the first upsert keeps the unit retired', async () => {
    await ds.query(`TRUNCATE replica_org_units, replica_org_unit_retirements`);
    await deliver({ kind: 'retire', data: { code: 'R1', retiredOn: '2020-08-20', revision: 2 } });
    await deliver({
      kind: 'upsert',
      data: upserted({ code: 'R1', name: 'Xã A', type: 'commune', adminParentCode: null, active: true, revision: 1 }),
    });
    expect(await ds.query(`SELECT name, active FROM replica_org_units WHERE code = 'R1'`)).toEqual([{ name: 'Xã A', active: false }]);
  });
});
