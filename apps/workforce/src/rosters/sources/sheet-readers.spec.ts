import { RosterFileError } from './roster-file.error';
import type { SourceRow } from './row-source';
import { columnOf, SheetReader } from './sheet-readers';
import { XmlScanner } from './xml-scanner';

const SHARED = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** The rows of a worksheet whose UTF-8 bytes arrive cut every `every` bytes. */
function rows(sheetData: string, every?: number): SourceRow[] {
  const reader = new SheetReader(SHARED);
  const scanner = new XmlScanner(reader);
  const bytes = Buffer.from(`<worksheet><sheetData>${sheetData}</sheetData></worksheet>`, 'utf8');
  const step = every ?? bytes.length;
  const out: SourceRow[] = [];
  for (let i = 0; i < bytes.length; i += step) {
    scanner.write(bytes.subarray(i, i + step));
    out.push(...reader.take());
  }
  scanner.end();
  out.push(...reader.take());
  return out;
}

describe('SheetReader', () => {
  // Values of digits are read from the bytes (no string a cell): every cell type must still read as it did
  // from text, whether the value arrives whole, cut between chunks, or next to CDATA.
  const digits =
    '<row r="1"><c r="A1" t="s"><v>3</v></c><c r="B1" t="s"><v>010</v></c><c r="C1"><v>007</v></c><c r="D1" t="str"><v>007</v></c>' +
    '<c r="E1" t="b"><v>0</v></c><c r="F1" t="b"><v>2</v></c><c r="G1"><v>1234567890123</v></c><c r="H1" t="inlineStr"><v>0042</v></c>' +
    '<c r="I1" t="s"><v>99</v></c><c r="J1" t="e"><v>7</v></c><c r="K1"><f>A1</f><v>0012</v></c><c r="L1" t="str"><f>A1</f><v>0012</v></c>' +
    '<c r="M1"><v>0</v></c><c r="N1"><v>12<![CDATA[34]]></v></c><c r="O1" t="str"><v><![CDATA[00]]>12</v></c><c r="P1"><v>1&#50;</v></c></row>';
  const expected = [
    'three',
    'ten',
    '7',
    '007',
    'false',
    'true',
    '1234567890123',
    '0042',
    '',
    '#ERROR',
    '12',
    '0012',
    '0',
    '1234',
    '0012',
    '12',
  ];

  it.each([undefined, 1, 2, 3, 7])('reads digit values as their cell type says (cut every %s bytes)', (every) => {
    expect(rows(digits, every)).toEqual([{ line: 1, cells: expected }]);
  });

  it('reads row numbers and cell references from their bytes, and from their text when written with references', () => {
    const sheet =
      '<row r="002"><c r="B2"><v>1</v></c></row>' +
      '<row r="&#52;"><c r="&#65;4"><v>2</v></c><c r="c4"><v>3</v></c></row>' +
      '<row><c><v>4</v></c><c><v>5</v></c></row>' +
      '<row r="0"><c r="Ấ6"><v>6</v></c><c r="1A"><v>7</v></c></row>' +
      '<row r=" 9 "><c r="AA9"><v>8</v></c></row>';
    for (const every of [undefined, 1, 5]) {
      const read = rows(sheet, every);
      expect(read.map((r) => r.line)).toEqual([2, 4, 5, 6, 9]);
      expect(read[0].cells).toEqual(['', '1']);
      expect(read[1].cells).toEqual(['2', '', '3']);
      expect(read[2].cells).toEqual(['4', '5']);
      // A reference that names no column places the cell after the previous one.
      expect(read[3].cells).toEqual(['6', '7']);
      expect(read[4].cells).toHaveLength(27);
      expect(read[4].cells[26]).toBe('8');
    }
  });

  it('refuses hostile references and numbers the same way from bytes', () => {
    expect(() => rows('<row r="1"><c r="ZZZZZZZZZZZZZZZZ1"><v>1</v></c></row>')).toThrow(RosterFileError);
    expect(() => rows('<row r="1"><c r="IW1"><v>1</v></c></row>')).toThrow(RosterFileError);
    expect(() => rows('<row r="1048577"><c r="A1"><v>1</v></c></row>')).toThrow(RosterFileError);
    expect(() => rows('<row r="99999999999"><c r="A1"><v>1</v></c></row>')).toThrow(RosterFileError);
    expect(rows('<row r="1"><c r="IV1" t="s"><v>999999999</v></c></row>')[0].cells[255]).toBe('');
  });

  it('keeps columnOf for references given as text', () => {
    expect([columnOf(undefined), columnOf(''), columnOf('A1'), columnOf('ab12'), columnOf('Ấ1'), columnOf('ZZZZ1')]).toEqual([
      0, 0, 1, 28, 0, 257,
    ]);
  });
});
