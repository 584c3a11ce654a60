import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReportDoc } from '../daily-report.render';
import { placeAndDate, toOfficialDocument } from './official-document';
import { renderOfficialDocx } from './official-document.docx';
import { renderOfficialPdf } from './official-document.pdf';
import { loadOfficialDocumentSettings } from './official-document.settings';

const report: ReportDoc = {
  lang: 'vi',
  title: 'Báo cáo kết quả triển khai cài đặt ứng dụng Bluezone ngày 30/08/2020',
  lead: ['Kính gửi: Chủ tịch Ủy ban nhân dân tỉnh Trà Vinh'],
  sections: [
    {
      heading: '1. Từng chỉ tiêu',
      paragraphs: ['Đoàn viên, hội viên: đến hạn hôm nay, còn thiếu 1.234 người.'],
      table: {
        headers: ['Chỉ tiêu', 'Kết quả', 'Tình trạng'],
        rows: [['Hội viên 100%', '97,81%', 'Đến hạn hôm nay']],
      },
      chart: {
        title: 'Tỷ lệ toàn tỉnh theo từng chỉ tiêu từ 24/08/2020 đến 30/08/2020',
        days: ['24/08', '25/08', '26/08', '27/08', '28/08', '29/08', '30/08'],
        series: [
          { name: 'Hội viên 100%', threshold: 1, values: [0.61, 0.7, null, 0.82, 0.9, 0.95, 0.9781] },
          { name: 'Người dân cài đặt ≥ 50% dân số', threshold: 0.5, values: [0.2, 0.22, 0.25, 0.27, 0.3, 0.33, 0.35] },
        ],
        thresholdWord: 'mức yêu cầu',
        lang: 'vi',
      },
    },
    { heading: '2. Đơn vị chưa báo cáo', paragraphs: ['Trường THPT Cầu Ngang — Hiệu trưởng Lê Thị Hồng Nhung'] },
  ],
};

const settings = loadOfficialDocumentSettings({ REPORT_SIGNER_NAME: 'Trần Văn Bình' });
const official = toOfficialDocument(report, '2020-08-30', settings);

describe('the daily report as an official document (Decree 30/2020/ND-CP)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'official-doc-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('given a date, then the place-and-date line pads days below 10 and months below 3', () => {
    expect(placeAndDate('vi', 'Trà Vinh', '2020-08-30')).toBe('Trà Vinh, ngày 30 tháng 8 năm 2020');
    expect(placeAndDate('vi', 'Trà Vinh', '2021-02-05')).toBe('Trà Vinh, ngày 05 tháng 02 năm 2021');
    expect(placeAndDate('en', 'Tra Vinh', '2020-08-30')).toBe('Tra Vinh, 30 August 2020');
  });

  it('given the settings, then the header, subject, recipients and signer are the configured ones', () => {
    expect(official.number).toBe('Số: …/BC-STTTT');
    expect(official.subject).toBe('V/v báo cáo kết quả triển khai cài đặt ứng dụng Bluezone ngày 30/08/2020');
    expect(official.recipients[0]).toBe('- Chủ tịch UBND tỉnh (b/c);');
    expect(official.recipients.at(-1)).toBe('- Lưu: VT, BCVT.');
    expect(official.signer).toEqual({ authority: 'KT. GIÁM ĐỐC', title: 'PHÓ GIÁM ĐỐC', name: 'Trần Văn Bình' });
  });

  it('given the English report, then the issuer, recipients and signer are named in English', () => {
    const en = toOfficialDocument({ ...report, lang: 'en', title: 'Bluezone installation report for 30/08/2020' }, '2020-08-30', settings);
    expect([en.issuerSuperior, en.issuer]).toEqual([
      "TRA VINH PROVINCIAL PEOPLE'S COMMITTEE",
      'DEPARTMENT OF INFORMATION AND COMMUNICATIONS',
    ]);
    expect(en.recipients[0]).toBe("- Chairman of the Provincial People's Committee (for report);");
    expect(en.recipients.at(-1)).toBe('- Filed: Clerical Office, Posts and Telecommunications Division.');
    expect(en.signer).toEqual({ authority: 'FOR THE DIRECTOR', title: 'DEPUTY DIRECTOR', name: 'Trần Văn Bình' });
    expect(en.placeDate).toBe('Trà Vinh, 30 August 2020');
  });

  it("given another issuer in Vietnamese only, then the English document names it as set, not the default's translation", () => {
    const other = loadOfficialDocumentSettings({
      REPORT_ISSUER_SUPERIOR: 'UBND TỈNH VĨNH LONG',
      REPORT_ISSUER: 'SỞ Y TẾ',
      REPORT_ISSUER_EN: 'DEPARTMENT OF HEALTH',
      REPORT_SIGNER_AUTHORITY: '',
    });
    const en = toOfficialDocument({ ...report, lang: 'en' }, '2020-08-30', other);
    expect([en.issuerSuperior, en.issuer]).toEqual(['UBND TỈNH VĨNH LONG', 'DEPARTMENT OF HEALTH']);
    // The head signs in person: no "on behalf" line in either language.
    expect(en.signer.authority).toBe('');
    expect(toOfficialDocument(report, '2020-08-30', other).signer.authority).toBe('');
    // An empty value of a setting that cannot be empty is its default.
    expect(loadOfficialDocumentSettings({ REPORT_ISSUER: '' }).REPORT_ISSUER).toBe('SỞ THÔNG TIN VÀ TRUYỀN THÔNG');
  });

  it('given the report, then pdftotext reads the motto, issuer, date, figures, recipients and signer with their diacritics', async () => {
    const pdf = await renderOfficialPdf(official);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const file = join(dir, 'report.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).normalize('NFC').replace(/\s+/g, ' ');
    for (const expected of [
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      'UBND TỈNH TRÀ VINH',
      'SỞ THÔNG TIN VÀ TRUYỀN THÔNG',
      'Số: …/BC-STTTT',
      'Trà Vinh, ngày 30 tháng 8 năm 2020',
      'BÁO CÁO',
      'Nơi nhận:',
      '- Chủ tịch UBND tỉnh (b/c);',
      '97,81%',
      'Đến hạn hôm nay',
      'Trường THPT Cầu Ngang',
      'Trần Văn Bình',
      // The week's trend, drawn as vector graphics: its day labels and its legend are text of the page.
      '24/08',
      'Người dân cài đặt ≥ 50% dân số (mức yêu cầu 50%)',
    ])
      expect(text).toContain(expected);
    // Lines, not a picture: the page holds no image.
    expect(
      execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => /^\s*\d+\s+\d+\s+image/.test(l)),
    ).toEqual([]);
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' });
    expect(fonts).toMatch(/DejaVuSerif/);
    expect(
      fonts
        .split('\n')
        .filter((l) => /DejaVu/.test(l))
        .every((l) => /\byes\s+yes\b/.test(l)),
    ).toBe(true); // embedded, subset
  });

  it('given the report, then the DOCX is a Word package whose document.xml holds the text and whose fonts are embedded', async () => {
    const docx = await renderOfficialDocx(official);
    const file = join(dir, 'report.docx');
    writeFileSync(file, docx);
    const xml = execFileSync('unzip', ['-p', file, 'word/document.xml'], { encoding: 'utf8', maxBuffer: 32 << 20 });
    for (const expected of [
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      'Chủ tịch UBND tỉnh (b/c);',
      '97,81%',
      'Trần Văn Bình',
    ])
      expect(xml).toContain(expected);
    const listing = execFileSync('unzip', ['-l', file], { encoding: 'utf8' });
    expect(listing).toMatch(/word\/fonts\//);
    // The week's trend as a picture in the text, with its description for screen readers.
    expect(listing).toMatch(/word\/media\/[^\s]+\.png/);
    expect(xml).toContain('descr="Tỷ lệ toàn tỉnh theo từng chỉ tiêu từ 24/08/2020 đến 30/08/2020"');
    const soffice = spawnSync('soffice', ['--version']);
    if (soffice.status === 0) {
      // LibreOffice, when the machine has it, opens the package and prints it again as PDF.
      execFileSync('soffice', ['--headless', '--convert-to', 'pdf', '--outdir', dir, file], { timeout: 120_000 });
      const text = execFileSync('pdftotext', ['-enc', 'UTF-8', join(dir, 'report.pdf'), '-'], { encoding: 'utf8' });
      expect(text.normalize('NFC')).toContain('Độc lập - Tự do - Hạnh phúc');
    }
  });
});
