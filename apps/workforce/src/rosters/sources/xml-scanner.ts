/**
 * A narrow streaming XML tokenizer for the parts of an XLSX that rosters read (the worksheet, the shared
 * strings, the workbook and its relationships). It does what those parts need and checks what keeps a
 * hostile file from doing harm or being misread: elements, attributes, character data, CDATA, comments and
 * processing instructions; the five predefined entities and character references; end tags matching their
 * start tags; one root element. A DOCTYPE (hence any entity definition or expansion) is refused, and so is
 * any reference to an entity that is not predefined. Memory is bounded: at most one unfinished token
 * (`maxTokenChars`) is held between writes, text is handed over in pieces, and nesting is capped
 * (`maxDepth`; SpreadsheetML nests about six deep).
 *
 * Why not a general parser: saxes, which checks every character of every name against the XML grammar,
 * was half of the CPU of an XLSX import; this scans with `indexOf` and builds only the strings its
 * handler reads.
 */
export interface XmlHandler {
  /** Whether character data is wanted now (text outside is checked, not built). */
  readonly wantText: boolean;
  /** An element starts; `attrs` holds name, value pairs with entities decoded, and is reused: read it at once. */
  open(name: string, attrs: readonly string[]): void;
  /** An element ends (right after `open` for `<empty/>`). */
  close(name: string): void;
  /** Character data, entities decoded, possibly in several pieces. */
  text(piece: string): void;
}

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

const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13;

/** Characters that end a name; `<`, quotes, `=` and `&` inside a name are errors. */
function endsName(c: number): boolean {
  return isSpace(c) || c === 62 /* > */ || c === 47 /* / */ || c === 61; /* = */
}
function badInName(c: number): boolean {
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
function normaliseNewlines(text: string): string {
  return text.indexOf('\r') === -1 ? text : text.replace(/\r\n?/g, '\n');
}

const PENDING = -1;
/** Slots of the name cache (a power of two). */
const NAME_SLOTS = 256;

export class XmlScanner {
  private pending = '';
  private readonly stack: string[] = [];
  private readonly attrs: string[] = [];
  private readonly names: Array<string | undefined> = new Array<string | undefined>(NAME_SLOTS).fill(undefined);
  private rootSeen = false;
  private ampIn = '';
  private ampAt = Infinity;

  constructor(
    private readonly handler: XmlHandler,
    private readonly maxTokenChars = 64 * 1024,
    private readonly maxDepth = 64,
  ) {}

  /** Scans the next piece of the document (any cut: inside a tag, a reference or a character). */
  write(chunk: string): void {
    let from = 0;
    if (this.pending.length > 0) {
      // The unfinished token is completed from the head of the chunk, so the chunk itself is scanned as it
      // came: `pending + chunk` would be a cons string, which V8 reads character by character at half speed.
      const end = this.pending.charCodeAt(0) === 60 /* < */ ? chunk.indexOf('>') + 1 : chunk.indexOf('<');
      const head = end > 0 ? this.pending + chunk.slice(0, end) : this.pending;
      const done = end > 0 ? this.scan(head, false) : 0;
      this.pending = '';
      // Not completed there (a `>` inside a value, a comment, CDATA, a reference): the slow way, once.
      if (done === head.length) from = end;
      else chunk = head.slice(done) + (end > 0 ? chunk.slice(end) : chunk);
    }
    const done = this.scan(chunk, false, from);
    this.pending = done < chunk.length ? chunk.slice(done) : '';
    if (this.pending.length > this.maxTokenChars) throw new XmlError('malformed', 'a tag, comment or CDATA section is too long');
  }

  /** The document has ended: everything must be complete and every element closed. */
  end(): void {
    if (this.pending.length > 0) {
      const s = this.pending;
      this.pending = '';
      this.scan(s, true);
    }
    if (this.stack.length > 0 || !this.rootSeen) throw new XmlError('malformed', 'the document ends early');
  }

  /** Scans `s` and answers how far it got: the rest is an unfinished token, kept for the next write. */
  private scan(s: string, final: boolean, from = 0): number {
    const n = s.length;
    let i = from;
    while (i < n) {
      const lt = s.indexOf('<', i);
      if (lt === -1) {
        // Text to the end; a reference cut by the chunk's end waits for the rest.
        let cut = n;
        const amp = s.lastIndexOf('&');
        if (!final && amp >= i && s.indexOf(';', amp) === -1) cut = amp;
        // So is a CR that may be the first half of a CR LF (one line end, not two).
        if (!final && cut > i && s.charCodeAt(cut - 1) === 13) cut -= 1;
        if (cut > i) this.text(s, i, cut);
        if (final && cut < n) throw new XmlError('malformed', 'the document ends in a reference');
        return cut;
      }
      if (lt > i) this.text(s, i, lt);
      i = lt;
      const next = this.markup(s, i);
      if (next === PENDING) {
        if (final) throw new XmlError('malformed', 'the document ends inside a tag');
        return i;
      }
      i = next;
    }
    return n;
  }

  /** One piece of markup at `s[i] === '<'`; answers the index after it, or PENDING when it is cut. */
  private markup(s: string, i: number): number {
    const n = s.length;
    if (i + 1 >= n) return PENDING;
    const c = s.charCodeAt(i + 1);
    if (c === 47 /* / */) {
      const gt = s.indexOf('>', i + 2);
      if (gt === -1) return PENDING;
      let e = gt;
      while (e > i + 2 && isSpace(s.charCodeAt(e - 1))) e--;
      // Compared in place with the open element's name: no string is made for an end tag.
      const name = this.stack.pop();
      if (name === undefined || e - (i + 2) !== name.length || !s.startsWith(name, i + 2)) {
        throw new XmlError('malformed', 'an end tag does not match its start tag');
      }
      this.handler.close(name);
      return gt + 1;
    }
    if (c === 63 /* ? */) {
      const e = s.indexOf('?>', i + 2);
      return e === -1 ? PENDING : e + 2;
    }
    if (c === 33 /* ! */) return this.declaration(s, i);
    return this.startTag(s, i);
  }

  /** `<!--…-->`, `<![CDATA[…]]>`; a DOCTYPE (or anything else after `<!`) is refused. */
  private declaration(s: string, i: number): number {
    if (s.startsWith('<!--', i)) {
      const e = s.indexOf('-->', i + 4);
      return e === -1 ? PENDING : e + 3;
    }
    if (s.startsWith('<![CDATA[', i)) {
      const e = s.indexOf(']]>', i + 9);
      if (e === -1) return PENDING;
      if (this.stack.length === 0) throw new XmlError('malformed', 'CDATA outside the root element');
      if (this.handler.wantText) this.handler.text(normaliseNewlines(s.slice(i + 9, e)));
      return e + 3;
    }
    if (s.startsWith('<!DOCTYPE', i)) throw new XmlError('doctype', 'a DOCTYPE is not accepted');
    const head = s.slice(i, i + 9);
    if (head.length < 9 && ['<!DOCTYPE', '<![CDATA[', '<!--'].some((m) => m.startsWith(head))) return PENDING;
    throw new XmlError('malformed', 'unexpected markup after <!');
  }

  private startTag(s: string, i: number): number {
    const n = s.length;
    let j = i + 1;
    while (j < n && !endsName(s.charCodeAt(j))) {
      if (badInName(s.charCodeAt(j))) throw new XmlError('malformed', 'bad character in a tag name');
      j++;
    }
    if (j >= n) return PENDING;
    if (j === i + 1) throw new XmlError('malformed', 'a tag without a name');
    const name = this.intern(s, i + 1, j);
    const attrs = this.attrs;
    attrs.length = 0;
    let selfClosing = false;
    for (;;) {
      const afterValue = j;
      while (j < n && isSpace(s.charCodeAt(j))) j++;
      if (j >= n) return PENDING;
      const c = s.charCodeAt(j);
      if (c === 62 /* > */) {
        j += 1;
        break;
      }
      if (c === 47 /* / */) {
        if (j + 1 >= n) return PENDING;
        if (s.charCodeAt(j + 1) !== 62) throw new XmlError('malformed', 'a / inside a tag');
        selfClosing = true;
        j += 2;
        break;
      }
      if (attrs.length > 0 && j === afterValue) throw new XmlError('malformed', 'attributes not separated by white space');
      const a0 = j;
      while (j < n && !endsName(s.charCodeAt(j))) {
        if (badInName(s.charCodeAt(j))) throw new XmlError('malformed', 'bad character in an attribute name');
        j++;
      }
      if (j >= n) return PENDING;
      if (j === a0) throw new XmlError('malformed', 'an attribute without a name');
      const attrName = this.intern(s, a0, j);
      while (j < n && isSpace(s.charCodeAt(j))) j++;
      if (j >= n) return PENDING;
      if (s.charCodeAt(j) !== 61 /* = */) throw new XmlError('malformed', 'an attribute without a value');
      j++;
      while (j < n && isSpace(s.charCodeAt(j))) j++;
      if (j >= n) return PENDING;
      const q = s.charCodeAt(j);
      if (q !== 34 && q !== 39) throw new XmlError('malformed', 'an unquoted attribute value');
      const close = s.indexOf(q === 34 ? '"' : "'", j + 1);
      if (close === -1) return PENDING;
      let value = s.slice(j + 1, close);
      if (value.indexOf('<') !== -1) throw new XmlError('malformed', '< in an attribute value');
      if (value.indexOf('&') !== -1) value = decodeEntities(value);
      attrs.push(attrName, value);
      j = close + 1;
    }
    if (this.stack.length === 0) {
      if (this.rootSeen) throw new XmlError('malformed', 'a second root element');
      this.rootSeen = true;
    }
    if (this.stack.length >= this.maxDepth) throw new XmlError('malformed', 'elements nested too deep');
    this.handler.open(name, attrs);
    if (selfClosing) this.handler.close(name);
    else this.stack.push(name);
    return j;
  }

  /**
   * Where the next `&` at or after `from` is in `s` (Infinity when none), remembered between calls: asking
   * `indexOf` each time would search to the end of the chunk from every text between two tags.
   */
  private nextAmp(s: string, from: number): number {
    if (this.ampIn !== s || this.ampAt < from) {
      this.ampIn = s;
      const at = s.indexOf('&', from);
      this.ampAt = at === -1 ? Infinity : at;
    }
    return this.ampAt;
  }

  /**
   * The name at s[from, to), as the string made the last time the same name was met at this slot: a sheet
   * repeats a dozen names millions of times, and a slice would be a new string each time.
   */
  private intern(s: string, from: number, to: number): string {
    const length = to - from;
    const slot = (s.charCodeAt(from) * 31 + s.charCodeAt(to - 1) * 7 + length) & (NAME_SLOTS - 1);
    const known = this.names[slot];
    if (known !== undefined && known.length === length && s.startsWith(known, from)) return known;
    const name = s.slice(from, to);
    this.names[slot] = name;
    return name;
  }

  private text(s: string, from: number, to: number): void {
    if (this.stack.length === 0) {
      for (let k = from; k < to; k++) if (!isSpace(s.charCodeAt(k))) throw new XmlError('malformed', 'text outside the root element');
      return;
    }
    if (!this.handler.wantText) {
      // Not built, but still checked: a bad reference is an error wherever it is.
      if (this.nextAmp(s, from) < to) decodeEntities(s.slice(from, to));
      return;
    }
    // Line ends are normalised before references are decoded: `&#13;` stays a CR, as XML says.
    let t = normaliseNewlines(s.slice(from, to));
    if (t.indexOf('&') !== -1) t = decodeEntities(t);
    this.handler.text(t);
  }
}
