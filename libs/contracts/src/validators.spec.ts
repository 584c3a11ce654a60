import { formatVietnamesePhone, normaliseVietnamesePhone } from './validators';

describe('Vietnamese telephone numbers', () => {
  it('takes mobiles and landlines as people write them, and keeps them as E.164', () => {
    expect(normaliseVietnamesePhone('0912345678')).toBe('+84912345678');
    expect(normaliseVietnamesePhone('+84912345678')).toBe('+84912345678');
    expect(normaliseVietnamesePhone('0912 345 678')).toBe('+84912345678');
    expect(normaliseVietnamesePhone('0912.345.678')).toBe('+84912345678');
    expect(normaliseVietnamesePhone('0294 3862 123')).toBe('+842943862123');
    expect(normaliseVietnamesePhone('+84 294 3862 123')).toBe('+842943862123');
  });

  it('refuses what is not a Vietnamese number', () => {
    for (const bad of ['12345', '091234567', '+1 202 555 0101', '', 'abc', '0'.repeat(41), 42])
      expect(normaliseVietnamesePhone(bad)).toBeNull();
  });

  it('writes a stored number the national way', () => {
    expect(formatVietnamesePhone('+84912345678')).toBe('0912 345 678');
    expect(formatVietnamesePhone('+842943862123')).toBe('0294 3862 123');
  });
});
