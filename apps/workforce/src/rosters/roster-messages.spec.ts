import { judgeRow } from './domain/roster-row';
import { columnLetters, langOf, rejectedRowReason, rosterMessage, ROSTER_MESSAGES, type RosterMessageKey } from './roster-messages';

describe('roster messages', () => {
  it.each([
    [undefined, 'vi'],
    ['', 'vi'],
    ['vi', 'vi'],
    ['vi-VN,vi;q=0.9,en;q=0.5', 'vi'],
    ['en', 'en'],
    ['en-GB,en;q=0.8', 'en'],
    ['fr, en;q=0.5, vi;q=0.8', 'vi'],
    ['fr, vi;q=0.4, en-US;q=0.6', 'en'],
    ['en;q=0, vi;q=0.1', 'vi'],
    ['de', 'vi'],
    [['en', 'vi;q=0.2'], 'en'],
  ] as const)('reads Accept-Language %j as %s (Vietnamese unless English ranks higher)', (header, lang) => {
    expect(langOf(header as string | string[] | undefined)).toBe(lang);
  });

  it('names columns as Excel does', () => {
    expect([1, 26, 27, 52, 256, 16_384].map(columnLetters)).toEqual(['A', 'Z', 'AA', 'AZ', 'IV', 'XFD']);
  });

  it('words every message in both languages, Vietnamese with its diacritics, numbers in each locale', () => {
    const params: Record<string, unknown> = {
      type: 'image/gif',
      max: 1_000_000,
      line: 3,
      maxCount: 4_001_000,
      maxChars: 64_065_536,
      maxRows: 1_000_000,
      code: 'CSV_X',
      missing: ['has_smartphone'],
      rejected: 1200,
      keyUnit: 'KCN-1',
      rows: 10,
      named: [{ text: 'Mã NV', field: 'employee_id' }],
      left: 119,
      previous: 120,
      share: 119 / 120,
      maxShare: 0.2,
      hours: 72,
      state: 'superseded',
    };
    for (const key of Object.keys(ROSTER_MESSAGES) as RosterMessageKey[]) {
      const vi = rosterMessage(key, params as never, 'vi');
      const en = rosterMessage(key, params as never, 'en');
      expect({ key, vi: vi.length > 5, en: en.length > 5, differ: vi !== en }).toEqual({ key, vi: true, en: true, differ: true });
      expect({ key, diacritics: /[ăâđêôơưáàảãạếềểễệốồổỗộớờởỡợ]/i.test(vi) }).toEqual({ key, diacritics: true });
    }
    expect(rosterMessage('tooManyRows', { max: 1_000_000 }, 'vi')).toMatch(/^Tệp có hơn 1\.000\.000 dòng/);
    expect(rosterMessage('tooManyRows', { max: 1_000_000 }, 'en')).toMatch(/^the file has more than 1,000,000 rows/);
    expect(rosterMessage('heldPending', params as never, 'en')).toMatch(/remove 119 of the 120 workers .*\(99\.2%, more than the 20%/);
    expect(rosterMessage('heldPending', params as never, 'vi')).toMatch(/loại bỏ 119 trong số 120 người lao động .*\(99,2%, vượt mức 20%/);
  });

  it('says every reason a row is refused for in Vietnamese, as the rows judged give them', () => {
    const columns = { employeeId: 0, hasSmartphone: 1, installed: 2, bluetoothOn: 3 };
    const reasons = [
      judgeRow(['E1', 'có', 'có'], columns, 4),
      judgeRow(['E1', 'có', 'có', 'có', 'x'], columns, 4),
      judgeRow(['', 'có', 'có', 'có'], columns, 4),
      judgeRow(['E1', 'maybe', 'có', 'có'], columns, 4),
      judgeRow(['E1', 'không', 'có', 'không'], columns, 4),
      judgeRow(['E1', 'có', 'không', 'có'], columns, 4),
    ].map((v) => (v.ok === false ? v.reason : String(v.ok)));
    expect([...reasons, 'duplicate employee id (first on line 7)'].map((r) => rejectedRowReason(r, 'vi'))).toEqual([
      'Dòng có 3 trường trong khi dòng tiêu đề có 4: dòng bị thiếu',
      'Có giá trị nằm ngoài 4 cột của dòng tiêu đề: các trường bị lệch (có dấu phân cách không nằm trong ngoặc kép?)',
      'Thiếu mã người lao động',
      'Giá trị không hợp lệ ở cột has_smartphone (dùng có/không, x/để trống, 1/0, yes/no hoặc true/false)',
      'Đã cài Bluezone nhưng không có điện thoại thông minh',
      'Bật Bluetooth nhưng chưa cài Bluezone',
      'Mã người lao động bị trùng (xuất hiện lần đầu ở dòng 7)',
    ]);
    expect(rejectedRowReason('installed without a smartphone', 'en')).toBe('installed without a smartphone');
    expect(rejectedRowReason('a reason of a later version', 'vi')).toBe('a reason of a later version');
  });
});
