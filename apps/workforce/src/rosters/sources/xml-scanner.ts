/**
 * A narrow streaming XML tokenizer for the parts of an XLSX that rosters read (the worksheet, the shared
 * strings, the workbook and its relationships). It does what those parts need and checks what keeps a
 * hostile file from doing harm or being misread: elements, attributes, character data, CDATA, comments and
 * processing instructions; the five predefined entities and character references; end tags matching their
 * start tags; one root element. A DOCTYPE (hence any entity definition or expansion) is refused, and so is
 * any reference to an entity that is not predefined. Memory is bounded: at most one unfinished token
 * (`maxTokenBytes`) is held between writes, text is handed over in pieces, and nesting is capped
 * (`maxDepth`; SpreadsheetML nests about six deep).
 *
 * Why not a general parser: saxes, which checks every character of every name against the XML grammar,
 * was half of the CPU of an XLSX import. This one reads the UTF-8 bytes as they come out of the inflater
 * (the document is never decoded whole: 66 MB of strings for a 200,000-row sheet), compares names as bytes,
 * and decodes only what its handler reads: names once (interned), attribute values, and text it wants.
 */

import {
  XmlError,
  isSpace,
  endsName,
  badInName,
  decodeEntities,
  normaliseNewlines,
  PENDING,
  NAME_SLOTS,
  LT,
  GT,
  AMP,
  CR,
  BOM,
  decodeBytes,
  plainAscii,
  textOf,
  indexOfByte,
  indexOfSeq,
  startsWithBytes,
  COMMENT,
  COMMENT_END,
  CDATA,
  CDATA_END,
  DOCTYPE,
  PI_END,
  type Name,
} from './xml-bytes';

export { XmlError } from './xml-bytes';
export interface XmlHandler {
  /** Whether character data is wanted now (text outside is checked, not built). */
  readonly wantText: boolean;
  /** An element starts; `attrs` is reused and valid during this call only: read what is needed at once. */
  open(name: string, attrs: XmlAttrs): void;
  /** An element ends (right after `open` for `<empty/>`). */
  close(name: string): void;
  /** Character data, entities decoded, possibly in several pieces. */
  text(piece: string): void;
  /**
   * Offered first, when character data is wanted and a piece's bytes are its text as they are (ASCII, no
   * reference, no CR): a handler that reads numbers can take them without a string being made. Answers
   * whether it took the piece; if not, the piece comes through `text`. Valid during the call only.
   */
  textBytes?(bytes: Buffer, from: number, to: number): boolean;
}

export class XmlScanner {
  private pending: Buffer | null = null;
  private readonly stack: Name[] = [];
  private readonly attrs = new XmlAttrs();
  private readonly names: Array<Name | undefined> = new Array<Name | undefined>(NAME_SLOTS).fill(undefined);
  private rootSeen = false;
  /** The first bytes, held until a byte-order mark can be told from the document. */
  private start: Buffer | null = Buffer.alloc(0);

  constructor(
    private readonly handler: XmlHandler,
    private readonly maxTokenBytes = 64 * 1024,
    private readonly maxDepth = 64,
  ) {}

  /** Scans the next bytes of the document (any cut: inside a tag, a reference or a character). */
  write(chunk: Buffer): void {
    if (this.start) {
      const head = Buffer.concat([this.start, chunk]);
      if (head.length < BOM.length && BOM.slice(0, head.length).every((x, k) => head[k] === x)) {
        this.start = head;
        return;
      }
      this.start = null;
      chunk = startsWithBytes(head, 0, BOM) ? head.subarray(BOM.length) : head;
    }
    let from = 0;
    if (this.pending) {
      // The unfinished token is completed from the head of the chunk, so the chunk is not copied whole.
      const pending = this.pending;
      this.pending = null;
      const end = pending[0] === LT ? indexOfByte(chunk, GT, 0) + 1 : indexOfByte(chunk, LT, 0);
      const head = end > 0 ? Buffer.concat([pending, chunk.subarray(0, end)]) : pending;
      const done = end > 0 ? this.scan(head, false, 0) : 0;
      // Not completed there (a `>` inside a value, a comment, CDATA, a reference): the slow way, once.
      if (done === head.length) from = end;
      else chunk = Buffer.concat([head.subarray(done), end > 0 ? chunk.subarray(end) : chunk]);
    }
    const done = this.scan(chunk, false, from);
    if (done < chunk.length) {
      this.pending = Buffer.from(chunk.subarray(done));
      if (this.pending.length > this.maxTokenBytes) throw new XmlError('malformed', 'a tag, comment or CDATA section is too long');
    }
  }

  /** The document has ended: everything must be complete and every element closed. */
  end(): void {
    const rest = this.start ?? this.pending;
    this.start = null;
    this.pending = null;
    if (rest && rest.length > 0) this.scan(rest, true, 0);
    if (this.stack.length > 0 || !this.rootSeen) throw new XmlError('malformed', 'the document ends early');
  }

  /** Scans bytes from `from` and answers how far it got: the rest is an unfinished token, kept for the next write. */
  private scan(b: Buffer, final: boolean, from: number): number {
    const n = b.length;
    let i = from;
    while (i < n) {
      let lt = i;
      while (lt < n && b[lt] !== LT) lt++;
      if (lt === n) {
        const cut = final ? n : this.safeTextEnd(b, i, n);
        if (cut > i) this.text(b, i, cut);
        return cut;
      }
      if (lt > i) this.text(b, i, lt);
      i = lt;
      const next = this.markup(b, i);
      if (next === PENDING) {
        if (final) throw new XmlError('malformed', 'the document ends inside a tag');
        return i;
      }
      i = next;
    }
    return n;
  }

  /**
   * How much of text running to the chunk's end can be handed over now: not a reference cut in the middle,
   * not a CR that may be the first half of a CR LF, not a character cut between its bytes.
   */
  private safeTextEnd(b: Buffer, from: number, n: number): number {
    let cut = n;
    for (let k = n - 1; k >= from && k >= n - 12; k--) {
      if (b[k] === 59 /* ; */) break;
      if (b[k] === AMP) {
        cut = k;
        break;
      }
    }
    if (cut > from && b[cut - 1] === CR) cut -= 1;
    if (cut > from && b[cut - 1] >= 0x80) {
      let lead = cut - 1;
      while (lead > from && lead > cut - 4 && (b[lead] & 0xc0) === 0x80) lead--;
      const c = b[lead];
      const length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
      if (lead + length > cut) cut = lead;
    }
    return cut;
  }

  /** One piece of markup at `b[i] === '<'`; answers the index after it, or PENDING when it is cut. */
  private markup(b: Buffer, i: number): number {
    const n = b.length;
    if (i + 1 >= n) return PENDING;
    const c = b[i + 1];
    if (c === 47 /* / */) {
      const gt = indexOfByte(b, GT, i + 2);
      if (gt === -1) return PENDING;
      let e = gt;
      while (e > i + 2 && isSpace(b[e - 1])) e--;
      // Compared as bytes with the open element's name: no string is made for an end tag.
      const open = this.stack.pop();
      if (open === undefined || e - (i + 2) !== open.bytes.length || !startsWithBytes(b, i + 2, open.bytes)) {
        throw new XmlError('malformed', 'an end tag does not match its start tag');
      }
      this.handler.close(open.name);
      return gt + 1;
    }
    if (c === 63 /* ? */) {
      const e = indexOfSeq(b, PI_END, i + 2);
      return e === -1 ? PENDING : e + 2;
    }
    if (c === 33 /* ! */) return this.declaration(b, i);
    return this.startTag(b, i);
  }

  /** `<!--…-->`, `<![CDATA[…]]>`; a DOCTYPE (or anything else after `<!`) is refused. */
  private declaration(b: Buffer, i: number): number {
    if (startsWithBytes(b, i, COMMENT)) {
      const e = indexOfSeq(b, COMMENT_END, i + 4);
      return e === -1 ? PENDING : e + 3;
    }
    if (startsWithBytes(b, i, CDATA)) {
      const e = indexOfSeq(b, CDATA_END, i + 9);
      if (e === -1) return PENDING;
      if (this.stack.length === 0) throw new XmlError('malformed', 'CDATA outside the root element');
      if (this.handler.wantText) this.handler.text(normaliseNewlines(decodeBytes(b, i + 9, e, plainAscii(b, i + 9, e))));
      return e + 3;
    }
    if (startsWithBytes(b, i, DOCTYPE)) throw new XmlError('doctype', 'a DOCTYPE is not accepted');
    const have = b.length - i;
    if (have < 9 && [DOCTYPE, CDATA, COMMENT].some((m) => have < m.length && m.slice(0, have).every((x, k) => b[i + k] === x))) {
      return PENDING;
    }
    throw new XmlError('malformed', 'unexpected markup after <!');
  }

  private startTag(b: Buffer, i: number): number {
    const n = b.length;
    let j = i + 1;
    while (j < n && !endsName(b[j])) {
      if (badInName(b[j])) throw new XmlError('malformed', 'bad character in a tag name');
      j++;
    }
    if (j >= n) return PENDING;
    if (j === i + 1) throw new XmlError('malformed', 'a tag without a name');
    const name = this.intern(b, i + 1, j);
    const attrs = this.attrs;
    attrs.reset(b);
    let selfClosing = false;
    for (;;) {
      const afterValue = j;
      while (j < n && isSpace(b[j])) j++;
      if (j >= n) return PENDING;
      const c = b[j];
      if (c === GT) {
        j += 1;
        break;
      }
      if (c === 47 /* / */) {
        if (j + 1 >= n) return PENDING;
        if (b[j + 1] !== GT) throw new XmlError('malformed', 'a / inside a tag');
        selfClosing = true;
        j += 2;
        break;
      }
      if (attrs.count > 0 && j === afterValue) throw new XmlError('malformed', 'attributes not separated by white space');
      const a0 = j;
      while (j < n && !endsName(b[j])) {
        if (badInName(b[j])) throw new XmlError('malformed', 'bad character in an attribute name');
        j++;
      }
      if (j >= n) return PENDING;
      if (j === a0) throw new XmlError('malformed', 'an attribute without a name');
      const attrName = this.intern(b, a0, j).name;
      while (j < n && isSpace(b[j])) j++;
      if (j >= n) return PENDING;
      if (b[j] !== 61 /* = */) throw new XmlError('malformed', 'an attribute without a value');
      j++;
      while (j < n && isSpace(b[j])) j++;
      if (j >= n) return PENDING;
      const q = b[j];
      if (q !== 34 && q !== 39) throw new XmlError('malformed', 'an unquoted attribute value');
      const close = indexOfByte(b, q, j + 1);
      if (close === -1) return PENDING;
      checkAttributeValue(b, j + 1, close);
      attrs.add(attrName, j + 1, close);
      j = close + 1;
    }
    if (this.stack.length === 0) {
      if (this.rootSeen) throw new XmlError('malformed', 'a second root element');
      this.rootSeen = true;
    }
    if (this.stack.length >= this.maxDepth) throw new XmlError('malformed', 'elements nested too deep');
    this.handler.open(name.name, attrs);
    if (selfClosing) this.handler.close(name.name);
    else this.stack.push(name);
    return j;
  }

  /**
   * The name at b[from, to), as made the last time the same bytes were met at this slot: a sheet repeats a
   * dozen names millions of times, and decoding each would make a new string each time.
   */
  private intern(b: Buffer, from: number, to: number): Name {
    const length = to - from;
    const slot = (b[from] * 31 + b[to - 1] * 7 + length) & (NAME_SLOTS - 1);
    const known = this.names[slot];
    if (known !== undefined && known.bytes.length === length && startsWithBytes(b, from, known.bytes)) return known;
    const made = { name: b.toString('utf8', from, to), bytes: Buffer.from(b.subarray(from, to)) };
    this.names[slot] = made;
    return made;
  }

  private text(b: Buffer, from: number, to: number): void {
    if (this.stack.length === 0) {
      for (let k = from; k < to; k++) if (!isSpace(b[k])) throw new XmlError('malformed', 'text outside the root element');
      return;
    }
    if (!this.handler.wantText) {
      // Not built, but still checked: a bad reference is an error wherever it is.
      for (let k = from; k < to; k++) {
        if (b[k] === AMP) {
          decodeEntities(b.toString('utf8', from, to));
          break;
        }
      }
      return;
    }
    const handler = this.handler;
    if (handler.textBytes !== undefined && plainAscii(b, from, to) && handler.textBytes(b, from, to)) return;
    handler.text(textOf(b, from, to));
  }
}

/** Refuses `<` in an attribute value and checks its references (decoding waits until the value is read). */
function checkAttributeValue(b: Buffer, from: number, to: number): void {
  for (let k = from; k < to; k++) {
    const c = b[k];
    if (c === LT) throw new XmlError('malformed', '< in an attribute value');
    if (c === AMP) {
      decodeEntities(b.toString('utf8', from, to));
      return;
    }
  }
}

/** Slots of the value cache (short values such as t="s" repeat on every cell). */
const VALUE_SLOTS = 512;

/**
 * The attributes of the element being opened: names, and values decoded only when asked for (a sheet's
 * cells carry a style and a span nobody reads). Valid during the `open` call only.
 */
export class XmlAttrs {
  count = 0;
  private buf: Buffer = Buffer.alloc(0);
  private readonly names: string[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** Short ASCII values met before, by slot (compared with the bytes, so a miss allocates nothing more). */
  private readonly values: Array<string | undefined> = new Array<string | undefined>(VALUE_SLOTS).fill(undefined);

  /** @internal */
  reset(buf: Buffer): void {
    this.buf = buf;
    this.count = 0;
  }

  /** @internal */
  add(name: string, from: number, to: number): void {
    this.names[this.count] = name;
    this.starts[this.count] = from;
    this.ends[this.count] = to;
    this.count += 1;
  }

  name(k: number): string {
    return this.names[k];
  }

  /** Index of the unprefixed attribute `name`, or -1. */
  indexOf(name: string): number {
    for (let k = 0; k < this.count; k++) if (this.names[k] === name) return k;
    return -1;
  }

  /**
   * The bytes of attribute k's value when they are the value as they are (ASCII, no reference), so a reader
   * can parse a number or a cell reference from them without a string: `bytes` and [`from(k)`, `to(k)`),
   * valid during the `open` call only. False: read `value(k)`.
   */
  isPlain(k: number): boolean {
    const b = this.buf;
    for (let i = this.starts[k], to = this.ends[k]; i < to; i++) if (b[i] >= 0x80 || b[i] === AMP) return false;
    return true;
  }

  get bytes(): Buffer {
    return this.buf;
  }

  from(k: number): number {
    return this.starts[k];
  }

  to(k: number): number {
    return this.ends[k];
  }

  /** The value of attribute k, references decoded (line ends are left as they are). */
  value(k: number): string {
    const b = this.buf;
    const from = this.starts[k];
    const to = this.ends[k];
    const length = to - from;
    if (length > 0 && length <= 12) {
      const slot = (b[from] * 31 + b[to - 1] * 7 + length * 131) & (VALUE_SLOTS - 1);
      const known = this.values[slot];
      if (known !== undefined && known.length === length && sameAscii(b, from, known)) return known;
      const value = decodeValue(b, from, to);
      if (value.length === length) this.values[slot] = value;
      return value;
    }
    return decodeValue(b, from, to);
  }

  /** The value of the unprefixed attribute `name`, if the element has it. */
  get(name: string): string | undefined {
    const k = this.indexOf(name);
    return k === -1 ? undefined : this.value(k);
  }
}

/** Whether bytes [from, from + s.length) are the characters of `s` (a string that decoded to one byte a character). */
function sameAscii(b: Buffer, from: number, s: string): boolean {
  for (let k = 0; k < s.length; k++) if (b[from + k] !== s.charCodeAt(k)) return false;
  return true;
}

function decodeValue(b: Buffer, from: number, to: number): string {
  let plain = true;
  for (let k = from; k < to && plain; k++) plain = b[k] < 0x80 && b[k] !== AMP;
  if (plain) return decodeBytes(b, from, to, true);
  const v = decodeBytes(b, from, to, false);
  return v.indexOf('&') === -1 ? v : decodeEntities(v);
}
