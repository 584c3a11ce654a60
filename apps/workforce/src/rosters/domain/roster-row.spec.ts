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

  it('skips blank rows', () => expect(judgeRow(['', ' ', ''], columns)).toEqual({ ok: 'blank' }));
  it('recognises the same worker across case, width and spacing', () => {
    expect(normaliseEmployeeId(' nv 001 ')).toBe('NV 001');
    expect(normaliseEmployeeId('ＮＶ００１')).toBe('NV001');
  });
});
