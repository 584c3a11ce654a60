import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { xlsxRows } from './xlsx-rows';
import type { SourceRow } from './row-source';

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

async function rowsOf(xlsx: Buffer): Promise<SourceRow[]> {
  const rows: SourceRow[] = [];
  // Small chunks, so tags and characters are cut across chunk ends.
  const chunks: Buffer[] = [];
  for (let i = 0; i < xlsx.length; i += 977) chunks.push(xlsx.subarray(i, i + 977));
  for await (const batch of xlsxRows(Readable.from(chunks))) rows.push(...batch);
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
});
