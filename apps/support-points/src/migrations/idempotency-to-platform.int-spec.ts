import { createHash } from 'node:crypto';
import { OutboxInbox1764460800000 } from '@app/persistence';
import { IdempotentRequests1765065601000, requestFingerprint } from '@app/platform';
import { RegistryReplica1764460800001 } from '@app/replica';
import { useMigrationDatabase } from '@test/support/migrations';
import { SupportPoints1764547200000 } from './1764547200000-SupportPoints';
import { IdempotencyToPlatform1765065601200 } from './1765065601200-IdempotencyToPlatform';

/** An answer given before the upgrade still replays after it: the moved row carries the platform's fingerprint. */
describe('support-points: Idempotency-Key answers move to the platform table', () => {
  const db = useMigrationDatabase('spidem');
  const open = (withMove: boolean) =>
    db.migrate('support_points', [
      OutboxInbox1764460800000,
      IdempotentRequests1765065601000,
      RegistryReplica1764460800001,
      SupportPoints1764547200000,
      ...(withMove ? [IdempotencyToPlatform1765065601200] : []),
    ]);

  it('computes the new fingerprint of each stored answer, and the old hash again on the way down', async () => {
    const request = { pointId: 'VNPT-1', date: '2020-08-22', assisted: 10, installed: 8, bluetoothEnabled: 7 };
    // What the old code stored: JSON.stringify of {op, pointId, date, ...counts}.
    const oldHash = createHash('sha256')
      .update(
        JSON.stringify({ op: 'support.session', pointId: 'VNPT-1', date: '2020-08-22', assisted: 10, installed: 8, bluetoothEnabled: 7 }),
      )
      .digest('hex');
    const answer = JSON.stringify({ ...request, revision: 1, changed: true });
    const before = await open(false);
    await before.query(
      `INSERT INTO idempotency_keys (key_id, idempotency_key, request_hash, status, response) VALUES ('k1', 'retry-1', $1, 201, $2::json)`,
      [oldHash, answer],
    );

    const after = await open(true);
    const moved: Array<{ scope: string; fingerprint: string; status: number; response: unknown }> = await after.query(
      `SELECT scope, fingerprint, status, response FROM idempotent_requests WHERE key_id = 'k1' AND idempotency_key = 'retry-1'`,
    );
    expect(moved).toEqual([
      { scope: 'support-points:sessions', fingerprint: requestFingerprint(request), status: 201, response: JSON.parse(answer) },
    ]);
    expect(await after.query(`SELECT to_regclass('idempotency_keys') AS t`)).toEqual([{ t: null }]);

    await after.undoLastMigration({ transaction: 'each' });
    expect(await after.query(`SELECT request_hash FROM idempotency_keys WHERE key_id = 'k1'`)).toEqual([{ request_hash: oldHash }]);
  });
});
