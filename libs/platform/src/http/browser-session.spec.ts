import { ForbiddenException } from '@nestjs/common';
import { cookieAsBearer, isSameOrigin, readCookie, refuseCrossSite, sessionCookie } from './browser-session';

describe('browser sessions (the pages officials open)', () => {
  it('keeps a key in an HttpOnly Lax cookie and reads it back among others; null forgets it', () => {
    const set = sessionCookie('bz_k', 'bz_a+b/c=', true);
    expect(set).toBe('bz_k=bz_a%2Bb%2Fc%3D; Path=/; HttpOnly; SameSite=Lax; Max-Age=28800; Secure');
    expect(readCookie(`other=1; ${set.split(';')[0]}; x=2`, 'bz_k')).toBe('bz_a+b/c=');
    expect(readCookie('bz_k=%E0%A4%A', 'bz_k')).toBeNull();
    expect(sessionCookie('bz_k', null, false)).toBe('bz_k=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0');
  });

  it('turns the cookie into the Bearer header, never over one the request brings', () => {
    const h: { cookie?: string; authorization?: string } = { cookie: 'bz_k=abc' };
    cookieAsBearer(h, 'bz_k');
    expect(h.authorization).toBe('Bearer abc');
    const own = { cookie: 'bz_k=abc', authorization: 'Bearer mine' };
    cookieAsBearer(own, 'bz_k');
    expect(own.authorization).toBe('Bearer mine');
  });

  it.each([
    [{ 'sec-fetch-site': 'same-origin' }, true],
    [{ 'sec-fetch-site': 'same-site' }, false],
    [{ 'sec-fetch-site': 'cross-site' }, false],
    [{ 'sec-fetch-site': 'none' }, false],
    [{ origin: 'http://127.0.0.1:3004' }, true],
    [{ origin: 'http://127.0.0.1:3000' }, false],
    [{ origin: 'https://127.0.0.1:3004' }, false],
    [{ origin: 'null' }, false],
    [{}, false],
  ])('takes %j as from its own pages: %s', (headers, same) => {
    const req = { headers, protocol: 'http', host: '127.0.0.1:3004' };
    expect(isSameOrigin(req)).toBe(same);
    if (same) expect(() => refuseCrossSite(req)).not.toThrow();
    else expect(() => refuseCrossSite(req)).toThrow(ForbiddenException);
  });
});
