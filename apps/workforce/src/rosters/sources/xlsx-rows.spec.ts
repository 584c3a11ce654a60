import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { RosterFileError } from './roster-file.error';
import { xlsxRows } from './xlsx-rows';
import type { SourceRow } from './row-source';

const LIMITS = { maxRows: 1000, maxUnpackedBytes: 16 * 1024 * 1024 };

async function workbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Danh sách');
  ws.addRow(['Danh sách lao động']);
  ws.addRow(['Mã NV', 'Họ và tên', 'Có điện thoại thông minh', 'Đã cài Bluezone', 'Bật Bluetooth']);
  ws.addRow(['NV001', 'Nguyễn Văn A & B <C>', 'có', 'có', 'không']);
  ws.addRow([1002, 'Trần Thị "D"', 1, 0, 0]);
  ws.getCell('A5').value = 'NV003';
  ws.getCell('C5').value = true;
  ws.getCell('D5').value = { formula: '1+0', result: 1 } as ExcelJS.CellFormulaValue;
  ws.getCell('E5').value = { richText: [{ text: 'k' }, { text: 'hông' }] };
  wb.addWorksheet('Second').addRow(['not read']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The same workbook with its members in another order (the shared strings first or last). */
async function reordered(xlsx: Buffer, sharedStringsFirst: boolean): Promise<Buffer> {
  const src = await JSZip.loadAsync(xlsx);
  const names = Object.keys(src.files).filter((n) => !src.files[n].dir);
  const sst = 'xl/sharedStrings.xml';
  const order = sharedStringsFirst ? [sst, ...names.filter((n) => n !== sst)] : [...names.filter((n) => n !== sst), sst];
  const out = new JSZip();
  for (const n of order) out.file(n, await src.file(n)!.async('nodebuffer'));
  return out.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

async function rowsOf(xlsx: Buffer, limits = LIMITS): Promise<SourceRow[]> {
  const rows: SourceRow[] = [];
  // Small chunks, so tags and characters are cut across chunk ends.
  const chunks: Buffer[] = [];
  for (let i = 0; i < xlsx.length; i += 977) chunks.push(xlsx.subarray(i, i + 977));
  for await (const batch of xlsxRows(Readable.from(chunks), limits)) rows.push(...batch);
  return rows;
}

describe('xlsxRows', () => {
  it('reads the first sheet the same whether the shared strings come before or after it in the zip', async () => {
    const xlsx = await workbook();
    const before = await reordered(xlsx, true);
    const after = await reordered(xlsx, false);
    expect(before.indexOf('xl/sharedStrings.xml')).toBeLessThan(before.indexOf('xl/worksheets/sheet1.xml'));
    expect(after.indexOf('xl/sharedStrings.xml')).toBeGreaterThan(after.indexOf('xl/worksheets/sheet1.xml'));
    const expected = [
      { line: 1, cells: ['Danh sách lao động'] },
      { line: 2, cells: ['Mã NV', 'Họ và tên', 'Có điện thoại thông minh', 'Đã cài Bluezone', 'Bật Bluetooth'] },
      { line: 3, cells: ['NV001', 'Nguyễn Văn A & B <C>', 'có', 'có', 'không'] },
      { line: 4, cells: ['1002', 'Trần Thị "D"', '1', '0', '0'] },
      { line: 5, cells: ['NV003', '', 'true', '1', 'không'] },
    ];
    expect(await rowsOf(before)).toEqual(expected);
    expect(await rowsOf(after)).toEqual(expected);
    expect(await rowsOf(xlsx)).toEqual(expected);
  });

  it('refuses a damaged workbook with a message that quotes nothing', async () => {
    const xlsx = await workbook();
    const damaged = Buffer.concat([xlsx.subarray(0, 200), Buffer.alloc(100), xlsx.subarray(300, xlsx.length - 40)]);
    await expect(rowsOf(damaged)).rejects.toThrow('the XLSX file could not be read');
  });

  it('reads SpreadsheetML written by hand: prefixes, entities, CDATA, phonetic runs, placed cells, the first tab', async () => {
    const ns =
      'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:rel="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
    const zip = new JSZip();
    zip.file(
      '[Content_Types].xml',
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    );
    // The first tab is the part sheet2.xml: tabs, not part names, decide.
    zip.file(
      'xl/workbook.xml',
      `<?xml version="1.0"?><x:workbook ${ns}><x:sheets><x:sheet name="Roster" sheetId="2" rel:id="rId7"/><x:sheet name="Old" sheetId="1" rel:id="rId1"/></x:sheets></x:workbook>`,
    );
    zip.file(
      'xl/_rels/workbook.xml.rels',
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="ws" Target="worksheets/sheet1.xml"/><Relationship Id="rId7" Type="ws" Target="/xl/worksheets/sheet2.xml"/></Relationships>',
    );
    zip.file(
      'xl/sharedStrings.xml',
      `<x:sst ${ns} count="3"><x:si><x:t>M&#227; NV &amp; t&#xEA;n</x:t></x:si><x:si><x:r><x:t xml:space="preserve">Nguy</x:t></x:r><x:r><x:rPr/><x:t>ễn</x:t></x:r><x:rPh sb="0" eb="1"><x:t>phonetic</x:t></x:rPh></x:si><x:si><x:t><![CDATA[a & <b>]]></x:t></x:si></x:sst>`,
    );
    zip.file(
      'xl/worksheets/sheet1.xml',
      `<x:worksheet ${ns}><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>wrong sheet</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>`,
    );
    zip.file(
      'xl/worksheets/sheet2.xml',
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<x:worksheet ${ns}><x:sheetData>` +
        '<x:row r="2"><x:c r="A2" t="s"><x:v>0</x:v></x:c><x:c r="C2" t="s"><x:v>1</x:v></x:c><x:c r="D2" t="s"><x:v>2</x:v></x:c></x:row>' +
        '<!-- a comment --><x:row r="4"><x:c r="B4" t="inlineStr"><x:is><x:t>&lt;in&gt;</x:t><x:r><x:t>line</x:t></x:r></x:is></x:c><x:c r="C4" t="b"><x:v>1</x:v></x:c>' +
        '<x:c r="D4" t="e"><x:v>#DIV/0!</x:v></x:c><x:c r="E4" t="str"><x:f>A1&amp;"x"</x:f><x:v>r &amp; s</x:v></x:c><x:c r="F4"><x:f>1/4</x:f><x:v>0.25</x:v></x:c>' +
        '<x:c r="G4"><x:v>1.50</x:v></x:c><x:c r="H4" s="1"/></x:row>' +
        '<x:row><x:c t="inlineStr"><x:is><x:t><![CDATA[x&amp;y]]></x:t></x:is></x:c><x:c><x:v>7</x:v></x:c></x:row>' +
        '</x:sheetData></x:worksheet>',
    );
    const xlsx = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    expect(await rowsOf(xlsx)).toEqual([
      { line: 2, cells: ['Mã NV & tên', '', 'Nguyễn', 'a & <b>'] },
      { line: 4, cells: ['', '<in>line', 'true', '#ERROR', 'r & s', '0.25', '1.5', ''] },
      { line: 5, cells: ['x&amp;y', '7'] },
    ]);
  });

  it('refuses a worksheet that is not well-formed XML', async () => {
    const zip = new JSZip();
    zip.file(
      'xl/worksheets/sheet1.xml',
      '<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>a</is></c></row></sheetData></worksheet>',
    );
    const xlsx = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    await expect(rowsOf(xlsx)).rejects.toThrow(new RosterFileError(422, 'xlsxUnreadable', undefined));
  });

  describe('bounds the work a file can cause', () => {
    async function withSheet(rows: string, sharedStrings?: string): Promise<Buffer> {
      const zip = new JSZip();
      zip.file('xl/worksheets/sheet1.xml', `<worksheet><sheetData>${rows}</sheetData></worksheet>`);
      if (sharedStrings !== undefined) zip.file('xl/sharedStrings.xml', `<sst>${sharedStrings}</sst>`);
      return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    }
    const refusal = async (xlsx: Buffer, limits = LIMITS) => {
      const err = await rowsOf(xlsx, limits).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(RosterFileError);
      return err as RosterFileError;
    };

    it('refuses a cell placed past column IV instead of padding the row to it', async () => {
      const err = await refusal(await withSheet('<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="ZZZZZZZ2"><v>1</v></c></row>'));
      expect(err).toMatchObject({ status: 422, key: 'tooManyColumns', params: { line: 2, max: 256 } });
      expect(await rowsOf(await withSheet('<row r="1"><c r="IV1"><v>1</v></c></row>'))).toEqual([
        { line: 1, cells: [...Array<string>(255).fill(''), '1'] },
      ]);
      const unplaced = await refusal(await withSheet(`<row>${'<c/>'.repeat(257)}</row>`));
      expect(unplaced.key).toBe('tooManyColumns');
    });

    it("refuses a row number past Excel's last row", async () => {
      expect((await refusal(await withSheet('<row r="1048577"/>'))).key).toBe('rowNumberTooLarge');
    });

    it('refuses a cell longer than Excel allows', async () => {
      const err = await refusal(await withSheet(`<row><c t="inlineStr"><is><t>${'x'.repeat(32_768)}</t></is></c></row>`));
      expect(err.key).toBe('cellTooLong');
    });

    it('caps the shared strings by count and by characters, in proportion to ROSTER_MAX_ROWS', async () => {
      const limits = { maxRows: 10, maxUnpackedBytes: 16 * 1024 * 1024 };
      const many = await refusal(await withSheet('', '<si><t>a</t></si>'.repeat(1041)), limits);
      expect(many).toMatchObject({ status: 413, key: 'sharedStringsTooLarge', params: { maxCount: 1040, maxChars: 66_176 } });
      const long = await refusal(await withSheet('', `<si><t>${'x'.repeat(30_000)}</t></si>`.repeat(3)), limits);
      expect(long.key).toBe('sharedStringsTooLarge');
      expect(await rowsOf(await withSheet('<row><c t="s"><v>1039</v></c></row>', '<si><t>a</t></si>'.repeat(1040)), limits)).toEqual([
        { line: 1, cells: ['a'] },
      ]);
    });

    it('counts unpacked bytes while inflating, across the parts', async () => {
      const rows = '<row><c><v>1</v></c></row>'.repeat(10_000);
      const err = await refusal(await withSheet(rows), { maxRows: 1000, maxUnpackedBytes: 200_000 });
      expect(err).toMatchObject({ status: 413, key: 'unpackedTooLarge' });
      expect(await rowsOf(await withSheet(rows), { maxRows: 1000, maxUnpackedBytes: 300_000 })).toHaveLength(10_000);
    });

    it('refuses a DOCTYPE in any part', async () => {
      const err = await refusal(await withSheet('<row><c><v><!DOCTYPE x [<!ENTITY a "b">]></v></c></row>'));
      expect(err.key).toBe('doctype');
      const zip = new JSZip();
      zip.file('xl/sharedStrings.xml', '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaa">]><sst><si><t>&a;</t></si></sst>');
      zip.file('xl/worksheets/sheet1.xml', '<worksheet><sheetData/></worksheet>');
      expect((await refusal(await zip.generateAsync({ type: 'nodebuffer' }))).key).toBe('doctype');
    });

    it('refuses a zip announcing more parts than a workbook has, before reading its directory', async () => {
      // A one-member zip whose end record announces 60,000 members (unzipper would try to read them all).
      const zip = await withSheet('<row/>');
      const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
      zip.writeUInt16LE(60_000, end + 8);
      zip.writeUInt16LE(60_000, end + 10);
      expect((await refusal(zip)).key).toBe('tooManyParts');
    });
  });
});
