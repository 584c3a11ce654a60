import { createHash, createHmac, hash } from 'node:crypto';

/**
 * The only form an employee id is kept in: HMAC-SHA256 under the deployment secret, over the enterprise
 * code and the id. Without the secret the id cannot be recovered by hashing guesses, and the same worker
 * id in two enterprises does not link them.
 */
export function employeeHash(secret: string, enterpriseCode: string, employeeId: string): string {
  return createHmac('sha256', secret).update(enterpriseCode).update('\u0000').update(employeeId).digest('hex');
}

/**
 * The same HMAC as `employeeHash`, for a whole upload: the key's inner and outer pads and the enterprise
 * code are laid out once, and each id costs two one-shot SHA-256 calls written straight into a chunk
 * buffer (no Hmac object, no hex string per row).
 */
export class EmployeeHasher {
  static readonly BYTES = 32;
  private scratch: Buffer;
  private readonly prefix: number;
  private readonly outer = Buffer.alloc(64 + 32);

  constructor(secret: string, enterpriseCode: string) {
    let key = Buffer.from(secret, 'utf8');
    if (key.length > 64) key = createHash('sha256').update(key).digest();
    const ipad = Buffer.alloc(64, 0x36);
    for (let i = 0; i < key.length; i++) {
      ipad[i] ^= key[i];
      this.outer[i] = key[i] ^ 0x5c;
    }
    for (let i = key.length; i < 64; i++) this.outer[i] = 0x5c;
    const head = Buffer.concat([ipad, Buffer.from(enterpriseCode, 'utf8'), Buffer.from([0])]);
    this.prefix = head.length;
    this.scratch = Buffer.alloc(this.prefix + 256);
    head.copy(this.scratch);
  }

  /** Writes HMAC-SHA256(secret, enterpriseCode ‖ 0x00 ‖ id) at `out[offset … offset + 32)`. */
  hashInto(employeeId: string, out: Buffer, offset: number): void {
    const max = this.prefix + employeeId.length * 3;
    if (max > this.scratch.length) {
      const bigger = Buffer.alloc(max);
      this.scratch.copy(bigger, 0, 0, this.prefix);
      this.scratch = bigger;
    }
    const n = this.scratch.write(employeeId, this.prefix, 'utf8');
    hash('sha256', this.scratch.subarray(0, this.prefix + n), 'buffer').copy(this.outer, 64);
    hash('sha256', this.outer, 'buffer').copy(out, offset);
  }
}
