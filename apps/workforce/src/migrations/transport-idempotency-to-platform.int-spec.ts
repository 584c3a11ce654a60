import { OutboxInbox1764460800000 } from '@app/persistence';
import { IdempotentRequests1765065601000, requestFingerprint } from '@app/platform';
import { RegistryReplica1764460800001 } from '@app/replica';
import { useMigrationDatabase } from '@test/support/migrations';
import { WorkforceRosters1764547200000 } from './1764547200000-WorkforceRosters';
import { RosterRetention1765000000000 } from './1765000000000-RosterRetention';
import { TransportIdempotencyToPlatform1765065601300 } from './1765065601300-TransportIdempotencyToPlatform';

/** A transport check sent with a key before the upgrade still replays after it, with the answer it gave. */
describe('workforce: transport Idempotency-Key answers move to the platform table', () => {
  const db = useMigrationDatabase('wfidem');
  const open = (withMove: boolean) =>
    db.migrate('workforce', [
      OutboxInbox1764460800000,
      IdempotentRequests1765065601000,
      RegistryReplica1764460800001,
      WorkforceRosters1764547200000,
      RosterRetention1765000000000,
      ...(withMove ? [TransportIdempotencyToPlatform1765065601300] : []),
    ]);

  it('stores the answer each keyed check gave under the platform fingerprint, and puts the keys back on the way down', async () => {
    const id = '01890a5d-ac96-774b-bcce-b302099a8057';
    const before = await open(false);
    await before.query(
      `INSERT INTO transport_checks (id, hub_code, date, revision, passengers_checked, already_installed, installed_on_site, refused,
                                     submitted_at, submitted_by_key, idempotency_key, request_hash)
       VALUES ($1, 'BEN-PHA', '2020-08-25', 1, 1200, 700, 350, 20, '2020-08-25T03:04:05.678Z', 'k1', 'ben-pha-25', 'h'),
              (gen_random_uuid(), 'BEN-PHA', '2020-08-26', 1, 10, 1, 1, 1, now(), 'k1', NULL, 'h2')`,
      [id],
    );

    const after = await open(true);
    const moved: Array<{ key_id: string; scope: string; idempotency_key: string; fingerprint: string; status: number; response: unknown }> =
      await after.query(`SELECT key_id, scope, idempotency_key, fingerprint, status, response FROM idempotent_requests`);
    const request = {
      hubCode: 'BEN-PHA',
      date: '2020-08-25',
      passengersChecked: 1200,
      alreadyInstalled: 700,
      installedOnSite: 350,
      refused: 20,
    };
    expect(moved).toEqual([
      {
        key_id: 'k1',
        scope: 'workforce:transport-checks',
        idempotency_key: 'ben-pha-25',
        fingerprint: requestFingerprint(request),
        status: 202,
        response: { checkId: id, ...request, revision: 1, submittedAt: '2020-08-25T03:04:05.678Z' },
      },
    ]);

    await after.undoLastMigration({ transaction: 'each' });
    expect(await after.query(`SELECT id::text, idempotency_key FROM transport_checks ORDER BY date`)).toEqual([
      { id, idempotency_key: 'ben-pha-25' },
      { id: expect.any(String), idempotency_key: null },
    ]);
  });
});
