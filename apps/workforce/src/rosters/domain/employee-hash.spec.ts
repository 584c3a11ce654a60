import { createHmac, randomBytes } from 'node:crypto';
import { EmployeeHasher, employeeHash } from './employee-hash';

describe('employee hash', () => {
  it.each([
    ['a-32-character-secret-for-tests!', 'DN-0001'],
    ['short', 'DN-0002'],
    ['a secret longer than the 64-byte block of SHA-256, so it is hashed first as HMAC says', 'DN-0003'],
    ['bí mật có dấu tiếng Việt, đủ dài để dùng được ở đây', 'DN-ĐB'],
  ])('the chunk hasher gives the HMAC of every id (secret %j, enterprise %s)', (secret, enterprise) => {
    const hasher = new EmployeeHasher(secret, enterprise);
    const ids = ['NV0000001', '', 'NV 001', 'ＮＶ００１', 'Nguyễn', 'x'.repeat(1000), 'NV0000002', '😀'.repeat(40)];
    const out = Buffer.alloc(ids.length * 32);
    ids.forEach((id, i) => hasher.hashInto(id, out, i * 32));
    ids.forEach((id, i) => expect(out.subarray(i * 32, i * 32 + 32).toString('hex')).toBe(employeeHash(secret, enterprise, id)));
  });

  it('equals node:crypto on every message length across the block and padding boundaries', () => {
    // The padding takes 9 bytes: lengths around 55/56 and 64 of the inner message change the block count.
    const secret = 'a-32-character-secret-for-tests!';
    for (const enterprise of ['', 'E', 'DN-0001', 'x'.repeat(70)]) {
      const hasher = new EmployeeHasher(secret, enterprise);
      for (let length = 0; length <= 200; length++) {
        const id = 'A'.repeat(length);
        const out = Buffer.alloc(32);
        hasher.hashInto(id, out, 0);
        expect(out.toString('hex')).toBe(employeeHash(secret, enterprise, id));
      }
    }
  });

  it('equals node:crypto for random keys, enterprise codes and ids (a long id between short ones included)', () => {
    for (let run = 0; run < 50; run++) {
      const secret = randomBytes(1 + (run % 90)).toString('latin1');
      const enterprise = randomBytes(run % 20).toString('base64');
      const hasher = new EmployeeHasher(secret, enterprise);
      for (let k = 0; k < 20; k++) {
        const id = k === 10 ? 'Ê'.repeat(300) : randomBytes(k * 3).toString('base64');
        const out = Buffer.alloc(64);
        hasher.hashInto(id, out, 32);
        const expected = createHmac('sha256', secret).update(enterprise).update('\u0000').update(id).digest('hex');
        expect(out.subarray(32).toString('hex')).toBe(expected);
      }
    }
  });
});
