/**
 * The byte-level pieces of the XLSX tokenizer (xml-scanner.ts): its error, the predefined entities, UTF-8
 * decoding of a byte range, and byte searches.
 */

export class XmlError extends Error {
  constructor(
    readonly kind: 'malformed' | 'doctype',
    message: string,
  ) {
    super(message);
    this.name = 'XmlError';
  }
}

const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13;

/** Characters that end a name; `<`, quotes, `=` and `&` inside a name are errors. */
export function endsName(c: number): boolean {
  return isSpace(c) || c === 62 /* > */ || c === 47 /* / */ || c === 61; /* = */
}
export function badInName(c: number): boolean {
  return c === 60 /* < */ || c === 34 /* " */ || c === 39 /* ' */ || c === 38; /* & */
}

/** Decodes the predefined entities and character references; anything else is refused. */
export function decodeEntities(text: string): string {
  let out = '';
  let from = 0;
  for (let amp = text.indexOf('&'); amp !== -1; amp = text.indexOf('&', from)) {
    const semi = text.indexOf(';', amp + 1);
    if (semi === -1 || semi - amp > 12) throw new XmlError('malformed', 'bare & or unterminated reference');
    const ref = text.slice(amp + 1, semi);
    let decoded: string | undefined;
    if (ref.charCodeAt(0) === 35 /* # */) {
      const hex = ref.charCodeAt(1) === 120; /* x */
      const digits = ref.slice(hex ? 2 : 1);
      if (!(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) throw new XmlError('malformed', 'bad character reference');
      const cp = parseInt(digits, hex ? 16 : 10);
      const allowed =
        cp === 9 ||
        cp === 10 ||
        cp === 13 ||
        (cp >= 0x20 && cp <= 0xd7ff) ||
        (cp >= 0xe000 && cp <= 0xfffd) ||
        (cp >= 0x10000 && cp <= 0x10ffff);
      if (!allowed) throw new XmlError('malformed', 'character reference to a character XML does not allow');
      decoded = String.fromCodePoint(cp);
    } else decoded = NAMED[ref];
    if (decoded === undefined) throw new XmlError('malformed', 'reference to an undeclared entity');
    out += text.slice(from, amp) + decoded;
    from = semi + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** Line ends as XML parsers hand them over: CR LF and lone CR become LF. */
export function normaliseNewlines(text: string): string {
  return text.indexOf('\r') === -1 ? text : text.replace(/\r\n?/g, '\n');
}

export const PENDING = -1;
/** Slots of the name cache (a power of two). */
export const NAME_SLOTS = 256;
export const LT = 60;
export const GT = 62;
export const AMP = 38;
export const CR = 13;
export const BOM = [0xef, 0xbb, 0xbf];

export interface Name {
  readonly name: string;
  readonly bytes: Buffer;
}

/**
 * Buffer's own latin1 slice, called directly: `toString('latin1', from, to)` checks its arguments and
 * looks the encoding up on every call, which cost as much as the slicing on a sheet's millions of short values.
 */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (this: Buffer, from: number, to: number) => string }).latin1Slice;

/** Bytes [from, to) as text: one-byte strings for ASCII (most of a sheet), UTF-8 decoding otherwise. */
export function decodeBytes(b: Buffer, from: number, to: number, ascii: boolean): string {
  if (ascii) return latin1Slice ? latin1Slice.call(b, from, to) : b.toString('latin1', from, to);
  return b.toString('utf8', from, to);
}

/** Whether bytes [from, to) hold only ASCII, with no `&` or CR (so they decode as they are). */
export function plainAscii(b: Buffer, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const c = b[k];
    if (c >= 0x80 || c === AMP || c === CR) return false;
  }
  return true;
}

/** Text of bytes [from, to): decoded, line ends normalised, then references decoded. */
export function textOf(b: Buffer, from: number, to: number): string {
  if (plainAscii(b, from, to)) return decodeBytes(b, from, to, true);
  let t = normaliseNewlines(decodeBytes(b, from, to, false));
  if (t.indexOf('&') !== -1) t = decodeEntities(t);
  return t;
}

export function indexOfByte(b: Buffer, byte: number, from: number): number {
  for (let k = from; k < b.length; k++) if (b[k] === byte) return k;
  return -1;
}

/** Where `seq` (two or three bytes) starts in b at or after `from`, or -1. */
export function indexOfSeq(b: Buffer, seq: ArrayLike<number>, from: number): number {
  const last = b.length - seq.length;
  for (let k = from; k <= last; k++) {
    if (b[k] !== seq[0] || b[k + 1] !== seq[1]) continue;
    if (seq.length === 2 || b[k + 2] === seq[2]) return k;
  }
  return -1;
}

export function startsWithBytes(b: Buffer, at: number, seq: ArrayLike<number>): boolean {
  if (at + seq.length > b.length) return false;
  for (let k = 0; k < seq.length; k++) if (b[at + k] !== seq[k]) return false;
  return true;
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
export const COMMENT = ascii('<!--');
export const COMMENT_END = ascii('-->');
export const CDATA = ascii('<![CDATA[');
export const CDATA_END = ascii(']]>');
export const DOCTYPE = ascii('<!DOCTYPE');
export const PI_END = ascii('?>');
