import { parseReportCsv } from './report-csv';

const EN = 'org_unit_code,cohort,as_of,headcount,smartphone_holders,installed,bluetooth_on';

describe('report CSV', () => {
  it('given English headers, when parsed, then each data line becomes a report keyed by its file line', () => {
    const r = parseReportCsv(`${EN}\n29236,residents,2020-08-25,10,8,5,4\n\n29239,staff,2020-08-25,x,,5,4\n`, 100);
    expect(r).toEqual({
      ok: true,
      lines: [
        {
          line: 2,
          item: {
            orgUnitCode: '29236',
            cohort: 'residents',
            asOf: '2020-08-25',
            headcount: 10,
            smartphoneHolders: 8,
            installed: 5,
            bluetoothOn: 4,
          },
        },
        // Bad cells stay as they are (the validator names them); empty cells are absent ("missing").
        { line: 4, item: { orgUnitCode: '29239', cohort: 'staff', asOf: '2020-08-25', headcount: 'x', installed: 5, bluetoothOn: 4 } },
      ],
    });
  });

  it('given Vietnamese headers (with or without diacritics), DD/MM/YYYY dates and Vietnamese cohort names, when parsed, then they map to the API fields', () => {
    const vi = parseReportCsv(
      '\ufeffMã đơn vị;Nhóm;Ngày;Tổng số;Có điện thoại thông minh;Đã cài đặt;Bật Bluetooth\n'.replace(/;/g, ',') +
        '29236,Người dân,5/8/2020,10,8,5,4\n',
      100,
    );
    expect(vi).toMatchObject({
      ok: true,
      lines: [{ line: 2, item: { orgUnitCode: '29236', cohort: 'residents', asOf: '2020-08-05', headcount: 10 } }],
    });
    const plain = parseReportCsv(
      'ma don vi,nhom,ngay,tong so,co dien thoai thong minh,da cai dat,bat bluetooth\n1,staff,2020-08-05,1,1,1,1\n',
      100,
    );
    expect(plain.ok).toBe(true);
  });

  it('given a quoted cell with a line break, when parsed, then the line number is where the record starts', () => {
    const r = parseReportCsv(`${EN}\n"29236",residents,2020-08-25,10,8,5,4\n"A\nB",staff,2020-08-25,1,1,1,1\n`, 100);
    expect(r.ok && r.lines.map((l) => l.line)).toEqual([2, 3]);
  });

  it('refuses a missing column, an empty file, a header only, broken quoting and too many lines, naming header or body', () => {
    expect(parseReportCsv('org_unit_code,cohort\n1,staff\n', 10)).toEqual({
      ok: false,
      errors: [{ field: 'header', message: expect.stringContaining('as_of (ngày)') }],
    });
    expect(parseReportCsv('', 10)).toMatchObject({ ok: false, errors: [{ field: 'body' }] });
    expect(parseReportCsv(`${EN}\n`, 10)).toMatchObject({
      ok: false,
      errors: [{ field: 'body', message: expect.stringContaining('no data lines') }],
    });
    expect(parseReportCsv(`${EN}\n"29236,residents`, 10)).toMatchObject({
      ok: false,
      errors: [{ field: 'body', message: expect.stringContaining('not valid CSV') }],
    });
    expect(parseReportCsv(`${EN}\n${'1,staff,2020-08-25,1,1,1,1\n'.repeat(3)}`, 2)).toMatchObject({
      ok: false,
      errors: [{ field: 'body', message: expect.stringContaining('at most 2') }],
    });
  });
});
