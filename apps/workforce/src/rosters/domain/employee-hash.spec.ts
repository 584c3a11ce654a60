import { EmployeeHasher, employeeHash } from './employee-hash';

describe('employee hash', () => {
  it.each([
    ['a-32-character-secret-for-tests!', 'DN-0001'],
    ['short', 'DN-0002'],
    ['a secret longer than the 64-byte block of SHA-256, so it is hashed first as HMAC says', 'DN-0003'],
    ['bí mật có dấu tiếng Việt, đủ dài để dùng được ở đây', 'DN-ĐB'],
  ])('the chunk hasher gives the HMAC of every id (secret %j, enterprise %s)', (secret, enterprise) => {
    const hasher = new EmployeeHasher(secret, enterprise);
    const ids = ['NV0000001', '', 'NV 001', 'ＮＶ００１', 'Nguyễn', 'x'.repeat(1000), 'NV0000002'];
    const out = Buffer.alloc(ids.length * 32);
    ids.forEach((id, i) => hasher.hashInto(id, out, i * 32));
    ids.forEach((id, i) => expect(out.subarray(i * 32, i * 32 + 32).toString('hex')).toBe(employeeHash(secret, enterprise, id)));
  });
});
