import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseUnitsCsv, unitTypeFromVietnamese } from './org-units-csv';

describe('unitTypeFromVietnamese', () => {
  it.each([
    ['Tỉnh', 1, 'province'],
    ['Thành phố', 1, 'province'],
    ['Thành phố', 2, 'district'],
    ['Huyện', 2, 'district'],
    ['Thị xã', 2, 'district'],
    ['Xã', 3, 'commune'],
    ['Phường', 3, 'commune'],
    ['Thị trấn', 3, 'commune'],
    ['Ấp', 4, 'hamlet'],
    ['enterprise', null, 'enterprise'],
    ['Thành phố', null, null],
    ['Làng', 3, null],
  ] as const)('%s at level %s is %s', (vi, level, type) => expect(unitTypeFromVietnamese(vi, level)).toBe(type));

  it('reads decomposed (NFD) Vietnamese as well', () => expect(unitTypeFromVietnamese('Thị trấn'.normalize('NFD'), 3)).toBe('commune'));
});

describe('parseUnitsCsv', () => {
  it('maps data/tra-vinh-units.csv to 116 units: 1 province, 9 districts, 106 communes, accountable to their administrative parent', () => {
    const parsed = parseUnitsCsv(readFileSync(join(__dirname, '../../../../data/tra-vinh-units.csv'), 'utf8'));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed));
    const count = (t: string) => parsed.rows.filter((r) => r.draft.type === t).length;
    expect([parsed.rows.length, count('province'), count('district'), count('commune')]).toEqual([116, 1, 9, 106]);
    const tvCity = parsed.rows.find((r) => r.draft.code === '842')!;
    expect(tvCity).toEqual({
      line: 3,
      draft: expect.objectContaining({ name: 'Thành phố Trà Vinh', type: 'district', adminParentCode: '84', accountableToCode: '84' }),
    });
  });

  it('takes the optional columns: unit_type, bloc, accountable_to_code and the head', () => {
    const parsed = parseUnitsCsv(
      'code,name,type,level,parent_code,unit_type,bloc,accountable_to_code,head_name,head_title\n' +
        'HLHPN-TV,Hội Liên hiệp Phụ nữ tỉnh,,,,mass_org,front,84,Nguyễn Thị A,Chủ tịch\n',
    );
    expect(parsed).toEqual({
      ok: true,
      rows: [
        {
          line: 2,
          draft: {
            code: 'HLHPN-TV',
            name: 'Hội Liên hiệp Phụ nữ tỉnh',
            type: 'mass_org',
            bloc: 'front',
            adminParentCode: null,
            accountableToCode: '84',
            head: { name: 'Nguyễn Thị A', title: 'Chủ tịch', phone: null, email: null },
          },
        },
      ],
    });
  });

  it('takes a head’s phone in any Vietnamese writing (stored as +84…) and e-mail; refuses a number that is not Vietnamese', () => {
    const header = 'code,name,unit_type,accountable_to_code,head_name,head_title,head_phone,head_email\n';
    const parsed = parseUnitsCsv(
      header +
        'A,Hội A,mass_org,84,Nguyễn Văn A,Chủ tịch,0912 345 678,a@travinh.gov.vn\n' +
        'B,Hội B,mass_org,84,Trần Thị B,Chủ tịch,0294 3862 123,\n' +
        'C,Hội C,mass_org,84,Lê Văn C,Chủ tịch,+84912345679,\n',
    );
    expect(parsed.ok && parsed.rows.map((r) => r.draft.head)).toEqual([
      { name: 'Nguyễn Văn A', title: 'Chủ tịch', phone: '+84912345678', email: 'a@travinh.gov.vn' },
      { name: 'Trần Thị B', title: 'Chủ tịch', phone: '+842943862123', email: null },
      { name: 'Lê Văn C', title: 'Chủ tịch', phone: '+84912345679', email: null },
    ]);
    const bad = parseUnitsCsv(
      header + 'A,Hội A,mass_org,84,Nguyễn Văn A,Chủ tịch,12345,not-an-address\nB,Hội B,mass_org,84,,,0912345678,\n',
    );
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors[0].reason).toMatch(
      /head_phone "12345" is not a Vietnamese telephone number.*head_email "not-an-address" is not an e-mail address/,
    );
    expect(bad.errors[1].reason).toMatch(/need a head_name/);
  });

  it('lists every bad line with its number and reason', () => {
    const parsed = parseUnitsCsv(
      'code,name,type,level,parent_code\n84,Tỉnh Trà Vinh,Tỉnh,1,\n842,Thành phố Trà Vinh,Thành phố,2\nbad code!,X,Xã,3,842\n29236,Phường 4,Phường,2,842\n84,Again,Tỉnh,1,\n1,Làng,Làng,3,842\n',
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => e.line)).toEqual([3, 4, 5, 6, 7]);
    expect(parsed.errors[0].reason).toMatch(/expected 5 fields .* found 4/);
    expect(parsed.errors[1].reason).toMatch(/not a unit code/);
    expect(parsed.errors[2].reason).toMatch(/level 2 does not match a commune/);
    expect(parsed.errors[3].reason).toMatch(/duplicate code 84 \(first on line 2\)/);
    expect(parsed.errors[4].reason).toMatch(/not a known unit type/);
  });

  it('refuses a bad header and an unclosed quote', () => {
    expect(parseUnitsCsv('code,nom,type\n1,a,Xã\n')).toMatchObject({
      ok: false,
      fatal: expect.stringMatching(/missing column\(s\): name; unknown column\(s\): nom/),
    });
    expect(parseUnitsCsv('')).toMatchObject({ ok: false, fatal: expect.stringMatching(/empty/) });
    expect(parseUnitsCsv('code,name,type\n1,"a,Xã\n')).toMatchObject({
      ok: false,
      errors: [{ line: 2, reason: expect.stringMatching(/malformed CSV/) }],
    });
  });
});
