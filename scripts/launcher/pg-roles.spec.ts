// Unit tier: the names of the services' PostgreSQL roles (the roles themselves: test/security/db-roles.int-spec.ts).
/* eslint-disable @typescript-eslint/no-require-imports */
const { roleName } = require('./pg-roles');

describe('PostgreSQL role names (scripts/launcher/pg-roles.js)', () => {
  it('are <database>_<schema>, cut to 63 characters with a hash when longer', () => {
    expect(roleName('bluezone', 'support-points')).toBe('bluezone_support_points');
    const long = roleName(`bzt_${'x'.repeat(60)}`, 'compliance');
    expect(long).toHaveLength(63);
    expect(long).not.toBe(roleName(`bzt_${'x'.repeat(61)}`, 'compliance'));
  });
});
