import { ConfigError, loadConfig, natsCredentialsOf, ServiceConfig } from './service-config';

const SEED = `SU${'A'.repeat(56)}`;

describe('service configuration: NATS credentials and key staleness', () => {
  it('takes no credentials, a user with a password, or an NKEY seed', () => {
    expect(natsCredentialsOf(loadConfig(ServiceConfig, {}))).toEqual({ user: undefined, password: undefined, nkeySeed: undefined });
    expect(natsCredentialsOf(loadConfig(ServiceConfig, { NATS_USER: 'intake', NATS_PASSWORD: 's3cret' }))).toEqual({
      user: 'intake',
      password: 's3cret',
      nkeySeed: undefined,
    });
    expect(loadConfig(ServiceConfig, { NATS_NKEY_SEED: SEED }).NATS_NKEY_SEED).toBe(SEED);
  });

  it('refuses half a password sign-in, both ways at once, and a seed that is not a user seed, naming the variable', () => {
    expect(() => loadConfig(ServiceConfig, { NATS_USER: 'intake' })).toThrow(/NATS_USER and NATS_PASSWORD go together/);
    expect(() => loadConfig(ServiceConfig, { NATS_PASSWORD: 'x' })).toThrow(/NATS_USER and NATS_PASSWORD go together/);
    expect(() => loadConfig(ServiceConfig, { NATS_USER: 'intake', NATS_PASSWORD: 'x', NATS_NKEY_SEED: SEED })).toThrow(
      /NATS_NKEY_SEED and NATS_USER exclude each other/,
    );
    expect(() => loadConfig(ServiceConfig, { NATS_NKEY_SEED: `SA${'A'.repeat(56)}` })).toThrow(ConfigError);
  });

  it('defaults KEY_STALENESS_MS to 15 s, keeps it between 1 s and an hour, and wants an http(s) REGISTRY_URL', () => {
    expect(loadConfig(ServiceConfig, {}).KEY_STALENESS_MS).toBe(15_000);
    expect(loadConfig(ServiceConfig, { KEY_STALENESS_MS: '3000', REGISTRY_URL: 'http://registry:3001' })).toMatchObject({
      KEY_STALENESS_MS: 3000,
      REGISTRY_URL: 'http://registry:3001',
    });
    expect(() => loadConfig(ServiceConfig, { KEY_STALENESS_MS: '10' })).toThrow(/KEY_STALENESS_MS/);
    expect(() => loadConfig(ServiceConfig, { REGISTRY_URL: 'registry:3001' })).toThrow(/REGISTRY_URL must be an http/);
  });
});
