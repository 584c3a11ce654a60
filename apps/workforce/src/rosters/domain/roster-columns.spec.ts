import { combineHeaderRows, fieldOfHeader, matchHeader } from './roster-columns';

describe('roster columns', () => {
  it.each([
    ['employee_id', 'employeeId'],
    ['Mã NV', 'employeeId'],
    ['MÃ NHÂN VIÊN', 'employeeId'],
    ['ma nv', 'employeeId'],
    ['has_smartphone', 'hasSmartphone'],
    ['Có điện thoại thông minh', 'hasSmartphone'],
    ['co dien thoai thong minh', 'hasSmartphone'],
    ['installed', 'installed'],
    ['Đã cài Bluezone', 'installed'],
    ['Đã cài đặt ứng dụng Bluezone?', 'installed'],
    ['bluetooth_on', 'bluetoothOn'],
    ['Bật Bluetooth', 'bluetoothOn'],
    ['  BẬT   bluetooth (có/không) ', 'bluetoothOn'],
    ['Họ và tên', null],
    ['Số điện thoại', null],
    ['phone', null],
    ['', null],
  ])('%s → %s', (header, field) => expect(fieldOfHeader(header)).toBe(field));

  it('finds the four columns in any order, whatever else is there', () => {
    expect(matchHeader(['STT', 'Họ tên', 'Bật Bluetooth', 'Mã NV', 'SĐT', 'Đã cài Bluezone', 'Có điện thoại thông minh'])).toEqual({
      kind: 'header',
      columns: { bluetoothOn: 2, employeeId: 3, installed: 5, hasSmartphone: 6 },
    });
  });

  it('tells a partial header from a data row', () => {
    expect(matchHeader(['Mã NV', 'Đã cài Bluezone'])).toEqual({
      kind: 'partial',
      missing: ['hasSmartphone', 'bluetoothOn'],
      found: { employeeId: 0, installed: 1 },
    });
    expect(matchHeader(['NV001', 'Nguyễn Văn A', '1', '0'])).toEqual({ kind: 'none' });
  });

  it('reads a header over two rows with merged cells: a group title over its columns, titles merged down', () => {
    const upper = ['STT', 'Mã NV', 'Họ tên', 'Có điện thoại thông minh', 'Bluezone', ''];
    const lower = ['', '', '', '', 'Đã cài', 'Bật Bluetooth'];
    expect(combineHeaderRows(upper, lower)).toEqual([
      'STT',
      'Mã NV',
      'Họ tên',
      'Có điện thoại thông minh',
      'Bluezone Đã cài',
      'Bluezone Bật Bluetooth',
    ]);
    expect(matchHeader(combineHeaderRows(upper, lower))).toEqual({
      kind: 'header',
      columns: { employeeId: 1, hasSmartphone: 3, installed: 4, bluetoothOn: 5 },
    });
  });
});
