import { createHash } from 'node:crypto';
import { canonicalJson, idempotencyKeyOf, idempotentRequest, requestFingerprint } from './idempotency.store';

describe('Idempotency-Key: the header and the fingerprint every service uses', () => {
  it('takes 1 to 200 visible ASCII characters; no header is no key; anything else is 400 in Vietnamese and English', () => {
    expect(idempotencyKeyOf(undefined)).toBeNull();
    expect(idempotencyKeyOf('0190a5d2-ac96-774b')).toBe('0190a5d2-ac96-774b');
    expect(idempotencyKeyOf('x'.repeat(200))).toBe('x'.repeat(200));
    for (const bad of ['', 'has space', 'x'.repeat(201), 'khóa', 'tab\there', ['a', 'b']]) {
      let thrown: unknown;
      try {
        idempotencyKeyOf(bad);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toMatchObject({ status: 400 });
      const body = (thrown as { getResponse: () => { detail: string; errors: Array<{ field: string }> } }).getResponse();
      expect(body.detail).toMatch(
        /^Idempotency-Key phải gồm 1 đến 200 ký tự .*\(Idempotency-Key must be 1 to 200 visible ASCII characters/,
      );
      expect(body.errors.map((e) => e.field)).toEqual(['Idempotency-Key']);
    }
  });

  it('fingerprints JSON by content (key order and undefined members do not matter) and text by its bytes', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 'x', c: null }], u: undefined })).toBe('{"a":[{"c":null,"d":"x"}],"b":1}');
    expect(requestFingerprint({ b: 1, a: 2 })).toBe(requestFingerprint({ a: 2, b: 1 }));
    expect(requestFingerprint({ a: 2, b: 1 })).not.toBe(requestFingerprint({ a: 2, b: 2 }));
    const csv = 'org_unit_code,cohort\n29236,residents\n';
    expect(requestFingerprint(csv)).toBe(createHash('sha256').update(csv).digest('hex'));
  });

  it('names a request only when a key is sent, computing the fingerprint only then', () => {
    const body = jest.fn(() => ({ a: 1 }));
    expect(idempotentRequest({ keyId: 'k' }, 'svc:route', undefined, body)).toBeNull();
    expect(body).not.toHaveBeenCalled();
    expect(idempotentRequest({ keyId: 'k' }, 'svc:route', 'key-1', body)).toEqual({
      keyId: 'k',
      scope: 'svc:route',
      key: 'key-1',
      fingerprint: requestFingerprint({ a: 1 }),
    });
  });
});
