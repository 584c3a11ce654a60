import { createHash, createHmac } from 'node:crypto';
import { SHA256_IV, sha256Block, writeDigest } from './sha256-block';

/**
 * The only form an employee id is kept in: HMAC-SHA256 under the deployment secret, over the enterprise
 * code and the id. Without the secret the id cannot be recovered by hashing guesses, and the same worker
 * id in two enterprises does not link them.
 */
export function employeeHash(secret: string, enterpriseCode: string, employeeId: string): string {
  return createHmac('sha256', secret).update(enterpriseCode).update('\u0000').update(employeeId).digest('hex');
}

/**
 * The same HMAC as `employeeHash`, for a whole upload: the states after the key's inner and outer blocks are
 * computed once, so each id costs the compression of its own block or two (sha256-block.ts) written straight
 * into a chunk buffer (no Hmac object, no Buffer, no hex string per row).
 */
export class EmployeeHasher {
  static readonly BYTES = 32;
  /** The enterprise code, a 0 byte, then room for an id and the padding (grown for a long id). */
  private message: Buffer;
  private readonly prefix: number;
  private readonly innerStart = Int32Array.from(SHA256_IV);
  private readonly outerStart = Int32Array.from(SHA256_IV);
  private readonly state = new Int32Array(8);
  /** The outer message: the inner digest then its padding, one block (the key's block is in outerStart). */
  private readonly outerBlock = new Uint8Array(64);

  constructor(secret: string, enterpriseCode: string) {
    let key = Buffer.from(secret, 'utf8');
    if (key.length > 64) key = createHash('sha256').update(key).digest();
    const ipad = Buffer.alloc(64, 0x36);
    const opad = Buffer.alloc(64, 0x5c);
    for (let i = 0; i < key.length; i++) {
      ipad[i] ^= key[i];
      opad[i] ^= key[i];
    }
    sha256Block(this.innerStart, ipad, 0);
    sha256Block(this.outerStart, opad, 0);
    const head = Buffer.concat([Buffer.from(enterpriseCode, 'utf8'), Buffer.from([0])]);
    this.prefix = head.length;
    this.message = Buffer.alloc(this.prefix + 256);
    head.copy(this.message);
    this.outerBlock[32] = 0x80;
    writeBitLength(this.outerBlock, 64, 64 + 32);
  }

  /** Writes HMAC-SHA256(secret, enterpriseCode ‖ 0x00 ‖ id) at `out[offset … offset + 32)`. */
  hashInto(employeeId: string, out: Buffer, offset: number): void {
    const room = this.prefix + employeeId.length * 3 + 72;
    if (room > this.message.length) {
      const bigger = Buffer.alloc(room);
      this.message.copy(bigger, 0, 0, this.prefix);
      this.message = bigger;
    }
    const m = this.message;
    let n = this.prefix;
    let ascii = true;
    for (let i = 0; i < employeeId.length; i++) {
      const c = employeeId.charCodeAt(i);
      if (c >= 0x80) {
        ascii = false;
        break;
      }
      m[n++] = c;
    }
    if (!ascii) n = this.prefix + m.write(employeeId, this.prefix, 'utf8');
    // Padding: 0x80, zeros, then the bit length of everything hashed (the key's block included).
    const length = 64 + n;
    m[n++] = 0x80;
    const end = (n + 8 + 63) & ~63;
    m.fill(0, n, end - 8);
    writeBitLength(m, end, length);
    const state = this.state;
    state.set(this.innerStart);
    for (let at = 0; at < end; at += 64) sha256Block(state, m, at);
    writeDigest(state, this.outerBlock, 0);
    state.set(this.outerStart);
    sha256Block(state, this.outerBlock, 0);
    writeDigest(state, out, offset);
  }
}

/** The 64-bit big-endian bit count of `bytes` in the eight bytes before `end` (ids are far below 2^29 bytes). */
function writeBitLength(block: Uint8Array, end: number, bytes: number): void {
  const bits = bytes * 8;
  block.fill(0, end - 8, end - 4);
  block[end - 4] = bits >>> 24;
  block[end - 3] = bits >>> 16;
  block[end - 2] = bits >>> 8;
  block[end - 1] = bits;
}
