import { SaxesParser } from 'saxes';
import { XmlError, XmlScanner, type XmlHandler } from './xml-scanner';

type Event = ['open', string, string[]] | ['close', string] | ['text', string];

/** Every event of the scanner, text pieces joined, when the document's UTF-8 bytes arrive cut every `every` bytes. */
function scan(doc: string, every = Buffer.byteLength(doc) || 1): Event[] {
  const events: Event[] = [];
  const handler: XmlHandler = {
    wantText: true,
    open: (name, attrs) =>
      events.push(['open', name, Array.from({ length: attrs.count }, (_, k) => [attrs.name(k), attrs.value(k)]).flat()]),
    close: (name) => events.push(['close', name]),
    text: (piece) => {
      const last = events[events.length - 1];
      if (last?.[0] === 'text') last[1] += piece;
      else events.push(['text', piece]);
    },
  };
  const scanner = new XmlScanner(handler);
  const bytes = Buffer.from(doc, 'utf8');
  for (let i = 0; i < bytes.length; i += every) scanner.write(bytes.subarray(i, i + every));
  scanner.end();
  return events.filter((e) => e[0] !== 'text' || e[1] !== '');
}

/** The same events from saxes, the well-formedness-checking parser the scanner replaced: the reference. */
function saxes(doc: string): Event[] {
  const events: Event[] = [];
  const parser = new SaxesParser({ position: false });
  const text = (t: string) => {
    const last = events[events.length - 1];
    if (last?.[0] === 'text') last[1] += t;
    else events.push(['text', t]);
  };
  let depth = 0;
  parser.on('opentag', (tag) => {
    depth += 1;
    events.push(['open', tag.name, Object.entries(tag.attributes).flat()]);
  });
  parser.on('closetag', (tag) => {
    depth -= 1;
    events.push(['close', tag.name]);
  });
  // saxes also reports white space outside the root element; the scanner checks it and drops it.
  parser.on('text', (t) => depth > 0 && text(t));
  parser.on('cdata', text);
  parser.write(doc).close();
  return events.filter((e) => e[0] !== 'text' || e[1] !== '');
}

describe('XmlScanner', () => {
  const sheet =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<x:worksheet xmlns:x="urn:x"><x:sheetData>' +
    '<x:row r="1" spans="1:3"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r=\'B1\' t="inlineStr"><x:is><x:t xml:space="preserve"> a &amp; b &#233;&#x1F600; </x:t></x:is></x:c></x:row>' +
    '<!-- a comment with <tags> & ampersands --><x:row r="2"><x:c r="C2"><x:v>1.5</x:v></x:c><x:c r="D2" t="str"><x:f>A1&amp;"&gt;"</x:f><x:v><![CDATA[<raw & text>]]></x:v></x:c></x:row>' +
    '<x:row r = "3" ><x:c r="A3" t="inlineStr"><x:is><x:t>line\r\nbreak&#13;kept</x:t></x:is></x:c><x:c r="B3"/></x:row>' +
    '<x:row r="4"><x:c r="A4" t="inlineStr"><x:is><x:t>Nguyễn Thị Ánh 😀 Đỗ</x:t></x:is></x:c><x:c r="B4" x:note="ố&amp;ồ"/></x:row>' +
    '</x:sheetData></x:worksheet>\n';

  it('gives the events saxes gives, however the document is cut', () => {
    const expected = saxes(sheet);
    expect(expected.length).toBeGreaterThan(20);
    for (const every of [1, 2, 3, 5, 7, 11, 64, sheet.length])
      expect({ every, events: scan(sheet, every) }).toEqual({ every, events: expected });
  });

  it('gives the events saxes gives on generated SpreadsheetML', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const texts = ['', 'a', 'Nguyễn', 'x &lt; y', '&amp;&quot;&apos;&gt;', '&#10;', ' sp ', 'ố\r\nx', '<![CDATA[a]]b]]>', '1.25'];
    for (let k = 0; k < 200; k++) {
      let doc = `<?xml version="1.0"?><worksheet xmlns="urn:x"${rand(2) ? ' xmlns:r="urn:r"' : ''}><sheetData>`;
      for (let r = rand(5); r >= 0; r--) {
        doc += rand(4) === 0 ? `<row r="${r}"/>` : `<row r="${r}"${rand(2) ? ' spans="1:4"' : ''}>`;
        if (doc.endsWith('/>')) continue;
        for (let c = rand(4); c >= 0; c--) {
          const t = texts[rand(texts.length)];
          doc += [
            `<c r="A${r}"><v>${t}</v></c>`,
            `<c t="inlineStr"><is><t>${t}</t><r><rPr/><t>${t}</t></r></is></c>`,
            `<c r="B${r}" s="1"/>`,
            `<!--${t.replace(/-/g, '')}--><c><f>1</f><v>${t}</v></c>`,
          ][rand(4)];
        }
        doc += '</row>';
      }
      doc += '</sheetData></worksheet>';
      expect({ doc, events: scan(doc, 1 + rand(20)) }).toEqual({ doc, events: saxes(doc) });
    }
  });

  it('refuses a DOCTYPE, so no entity is ever defined or expanded', () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><sst>&lol2;</sst>';
    for (const every of [1, 4, bomb.length]) {
      expect(() => scan(bomb, every)).toThrow(XmlError);
      expect(() => scan(bomb, every)).toThrow(expect.objectContaining({ kind: 'doctype' }));
    }
  });

  it.each([
    ['an undeclared entity', '<a>&lol;</a>'],
    ['a bare ampersand', '<a>a & b</a>'],
    ['a reference to a forbidden character', '<a>&#0;</a>'],
    ['a mismatched end tag', '<a><b>x</a></b>'],
    ['an unclosed element', '<a><b>x</b>'],
    ['a second root', '<a/><b/>'],
    ['text outside the root', '<a/>text'],
    ['< in an attribute', '<a b="<"/>'],
    ['an unquoted attribute', '<a b=c/>'],
    ['attributes run together', '<a b="1"c="2"/>'],
    ['an unterminated comment', '<a><!-- x </a>'],
    ['other markup after <!', '<a><!ELEMENT a ANY></a>'],
    ['no document', ''],
  ])('refuses %s', (_what, doc) => {
    for (const every of [1, 3, Math.max(1, Buffer.byteLength(doc))]) expect(() => scan(doc, every)).toThrow(XmlError);
  });

  it('bounds what it holds: an endless tag and deep nesting are refused', () => {
    const scanner = new XmlScanner({ wantText: false, open: () => undefined, close: () => undefined, text: () => undefined }, 1000, 8);
    expect(() => {
      scanner.write(Buffer.from('<a b="'));
      for (let i = 0; i < 10; i++) scanner.write(Buffer.from('x'.repeat(200)));
    }).toThrow(/too long/);
    expect(() => scan('<a>'.repeat(100) + '</a>'.repeat(100))).toThrow(/nested too deep/);
  });
});
