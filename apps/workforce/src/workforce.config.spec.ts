import { ConfigError, loadConfig } from '@app/platform';
import { DEV_ROSTER_HMAC_SECRET, WorkforceConfig } from './workforce.config';

describe('workforce configuration', () => {
  it('requires ROSTER_HMAC_SECRET of at least 32 characters in production', () => {
    expect(() => loadConfig(WorkforceConfig, { NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig(WorkforceConfig, { NODE_ENV: 'production', ROSTER_HMAC_SECRET: 'short' })).toThrow(/at least 32/);
    const cfg = loadConfig(WorkforceConfig, { NODE_ENV: 'production', ROSTER_HMAC_SECRET: 'p'.repeat(32) });
    expect(cfg.rosterHmacSecret).toBe('p'.repeat(32));
  });
  it('falls back to the public development secret outside production only', () => {
    expect(loadConfig(WorkforceConfig, {}).rosterHmacSecret).toBe(DEV_ROSTER_HMAC_SECRET);
    expect(loadConfig(WorkforceConfig, { ROSTER_MAX_ROWS: '10' }).ROSTER_MAX_ROWS).toBe(10);
  });
});
