import { isIP } from 'node:net';

/** proxy-addr's names for address ranges (what Fastify's trustProxy understands besides addresses). */
const RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY as Fastify's `trustProxy`: unset, `false` or `0` trusts no proxy (the client is the peer
 * and `X-Forwarded-*` is ignored, so no client can claim HTTPS or another address); a hop count `n`
 * trusts the n nearest proxies; otherwise a comma-separated list of addresses, CIDRs and the names
 * loopback, linklocal, uniquelocal. `true` (trust every peer) is refused: it lets any client choose its
 * own address and protocol. Throws a message naming the bad part.
 */
export function parseTrustProxy(raw: string | undefined): false | number | string[] {
  const value = (raw ?? '').trim();
  if (value === '' || value === 'false' || value === '0') return false;
  if (value === 'true')
    throw new Error('TRUST_PROXY=true would trust every client; list the proxies (addresses or CIDRs) or give a hop count');
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 16) throw new Error('TRUST_PROXY hop count must be 1–16');
    return hops;
  }
  const entries = value.split(',').map((s) => s.trim());
  for (const e of entries) {
    if (RANGE_NAMES.includes(e)) continue;
    const [address, prefix, extra] = e.split('/');
    const family = isIP(address ?? '');
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (!family || !prefixOk || extra !== undefined)
      throw new Error(`TRUST_PROXY: "${e}" is not an address, a CIDR or one of ${RANGE_NAMES.join(', ')}`);
  }
  return entries;
}
