// Unit tier: the NATS permissions come from the one bus table and say what the services need, nothing more.
/* eslint-disable @typescript-eslint/no-require-imports */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUS_TOPOLOGY, EVENT_CONTRACTS, producerOf, SERVICES } from '@app/contracts';
import { streamNames } from '@app/messaging';

const natsAuth = require('./nats-auth');

describe('NATS permissions (scripts/launcher/nats-auth.js)', () => {
  it('names the streams as libs/messaging does', () => {
    for (const ns of ['bz', 't_intake1a2b3c', 'x9']) {
      const s = streamNames(ns);
      expect(natsAuth.streamsOf(ns)).toEqual({ events: s.events, deadLetters: s.deadLetters });
    }
  });

  it('gives every published contract a producer, and only that producer may publish its subjects', () => {
    for (const c of EVENT_CONTRACTS) {
      const producer = producerOf(c.type);
      expect(producer).not.toBeNull();
      for (const service of SERVICES) {
        const may = natsAuth.permissionsOf(service, 'bz').publish.includes(`bz.${c.type.split('.')[0]}.>`);
        expect([service, c.type, may]).toEqual([service, c.type, service === producer]);
      }
    }
  });

  it('lets intake read registry events through its three consumers only (the replica, campaign targets, the DHIS2 mapping), and answer on its own inbox', () => {
    const p = natsAuth.permissionsOf('intake', 'bz');
    expect(p.subscribe).toEqual(['_INBOX.intake.>', 'bz_live.registry.>', 'bz_repair.intake']);
    expect(p.publish).toContain('bz_repair.registry');
    expect(p.allowResponses).toBe(true);
    expect(p.publish).toContain('$JS.API.CONSUMER.CREATE.BZ_EVENTS.intake-registry-replica.bz.registry.>');
    expect(p.publish).toContain('$JS.API.CONSUMER.CREATE.BZ_EVENTS.intake-campaign-targets.bz.registry.target.>');
    expect(p.publish).toContain('$JS.API.CONSUMER.CREATE.BZ_EVENTS.intake-exchange-mapping.bz.registry.exchange.>');
    expect(p.publish.filter((s: string) => s.startsWith('$JS.API.CONSUMER.CREATE'))).toHaveLength(3);
    expect(p.publish.some((s: string) => s.includes('compliance') || s.startsWith('bz.registry'))).toBe(false);
  });

  it('lets compliance publish its data-quality events and its dead letters only, and read everything', () => {
    const p = natsAuth.permissionsOf('compliance', 'bz');
    expect(p.publish.filter((s: string) => /^bz[._]/.test(s))).toEqual([
      'bz.compliance.>',
      'bz_live.compliance.>',
      'bz_dlq.compliance-registry-replica',
      'bz_dlq.compliance-exchange-mapping',
      'bz_dlq.compliance-projection',
      'bz_dlq.compliance-rebuild',
      'bz_dlq.compliance-quality-registry',
      'bz_dlq.compliance-quality-intake',
      'bz_dlq.compliance-quality-workforce',
      'bz_repair.>',
    ]);
    // A producer now (its data-quality events): it answers gap-repair requests for them.
    expect(p.subscribe).toEqual(['_INBOX.compliance.>', 'bz_live.>', 'bz_repair.compliance']);
    expect(p.allowResponses).toBe(true);
  });

  it('keeps a retired durable to look-up and delete (rates rebuild)', () => {
    const p = natsAuth.permissionsOf('rates', 'bz');
    expect(BUS_TOPOLOGY.rates.consumers['rates-inputs']).toBeNull();
    expect(p.publish).toContain('$JS.API.CONSUMER.DELETE.BZ_EVENTS.rates-inputs');
    expect(p.publish.some((s: string) => s.startsWith('$JS.API.CONSUMER.CREATE.BZ_EVENTS.rates-inputs.'))).toBe(false);
  });

  it('deploy/nats/auth.conf is what the generator writes for namespace bz (regenerate it when the table changes)', () => {
    const committed = readFileSync(join(__dirname, '..', '..', 'deploy', 'nats', 'auth.conf'), 'utf8');
    expect(committed).toBe(natsAuth.authorizationBlock('bz', natsAuth.passwordVariables()));
    expect(committed).toContain('password: $BZ_NATS_PASSWORD_SUPPORT_POINTS');
  });

  it('writes NKEY users for the launcher: public keys in the server file, seeds for the services', () => {
    const keys = { admin: natsAuth.newNkey(), registry: natsAuth.newNkey() };
    const creds = Object.fromEntries(natsAuth.SERVICES.map((s: string) => [s, (keys as Record<string, unknown>)[s] ?? keys.registry]));
    const conf = natsAuth.authorizationBlock('bz', { ...creds, admin: keys.admin });
    expect(conf).toContain(`nkey: "${keys.registry.nkey}"`);
    expect(conf).not.toContain(keys.registry.seed);
    expect(keys.registry.seed).toMatch(/^SU[A-Z2-7]{56}$/);
  });
});
