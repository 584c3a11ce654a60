import { judgeRow, normaliseEmployeeId, parseFlag } from './roster-row';

const columns = { employeeId: 0, hasSmartphone: 1, installed: 2, bluetoothOn: 3 };

describe('roster rows', () => {
  it.each(['có', 'Có', 'CÓ', 'co', 'x', 'X', '1', 'yes', 'Yes', 'true', 'TRUE', ' x ', 'đã'])('%p is true', (cell) =>
    expect(parseFlag(cell)).toBe(true),
  );
  it.each(['không', 'Không', 'khong', '', '  ', '0', 'no', 'NO', 'false', 'chưa'])('%p is false', (cell) =>
    expect(parseFlag(cell)).toBe(false),
  );
  it.each(['maybe', '2', 'có lẽ', 'ja'])('%p is unknown', (cell) => expect(parseFlag(cell)).toBeNull());
  it('accepts decomposed Unicode (as some Mac tools write it)', () => expect(parseFlag('co\u0301')).toBe(true));

  it('given a valid row, when judged, then it is accepted with its flags', () => {
    expect(judgeRow([' nv01 ', 'có', 'có', 'không'], columns)).toEqual({
      ok: true,
      row: { employeeId: 'NV01', hasSmartphone: true, installed: true, bluetoothOn: false },
    });
  });

  it.each([
    [['NV1', '1', '0', '1'], 'Bluetooth on without Bluezone installed'],
    [['NV1', '0', '1', '0'], 'installed without a smartphone'],
    [['', '1', '1', '1'], 'empty employee id'],
    [['NV1', 'maybe', '1', 'perhaps'], 'unknown flag in has_smartphone, bluetooth_on (use có/không, x/blank, 1/0, yes/no or true/false)'],
  ])('given %j, then it is rejected: %s', (cells, reason) => expect(judgeRow(cells, columns)).toEqual({ ok: false, reason }));

  it('never quotes the row in a reason', () => {
    const v = judgeRow(['SECRET-ID', 'Nguyễn', '1', '1'], columns);
    expect(v.ok).toBe(false);
    expect(JSON.stringify(v)).not.toMatch(/SECRET|Nguyễn/);
  });

  it("given a truncated CSV record (the issue's E006,yes,yes), then it is refused, not read as Bluetooth off", () =>
    expect(judgeRow(['E006', 'yes', 'yes'], columns, 4)).toEqual({
      ok: false,
      reason: '3 field(s) where the header has 4: the row is cut short',
    }));
  it('given a CSV record with a value past the header, then it is refused as shifted', () =>
    expect(judgeRow(['E007', 'Nguyễn', 'Văn A', '1', '1'], columns, 4)).toEqual({
      ok: false,
      reason: "a value past the header's 4 column(s): the row's fields are shifted (an unquoted separator?)",
    }));
  it('given trailing empty fields past the header (Excel pads every line), then the row is read', () =>
    expect(judgeRow(['E008', '1', '1', '0', '', ''], columns, 4)).toMatchObject({ ok: true }));
  it('given an XLSX row (no width), then missing trailing cells are blank', () =>
    expect(judgeRow(['E009', 'x', 'x'], columns)).toMatchObject({ ok: true, row: { bluetoothOn: false } }));

  it('skips blank rows', () => expect(judgeRow(['', ' ', ''], columns)).toEqual({ ok: 'blank' }));
  it('recognises the same worker across case, width and spacing', () => {
    expect(normaliseEmployeeId(' nv 001 ')).toBe('NV 001');
    expect(normaliseEmployeeId('ＮＶ００１')).toBe('NV001');
  });
});
