import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import ExcelJS from 'exceljs';
import type { FastifyReply } from 'fastify';
import { Public } from '@app/platform';
import { XLSX_CONTENT_TYPE } from '../http/roster-body.parsers';
import { TEMPLATE_HEADERS } from './domain/roster-columns';
import type { Lang } from './roster-messages';

export class RosterTemplateQueryDto {
  @ApiPropertyOptional({ enum: ['vi', 'en'], default: 'vi', description: 'Language of the column headers' })
  @IsOptional()
  @IsIn(['vi', 'en'])
  lang?: Lang;
}

/** Three made-up workers, one per usual case: installed with Bluetooth on, installed only, no smartphone. */
const SAMPLE: Record<Lang, string[][]> = {
  vi: [
    ['NV0001', 'có', 'có', 'có'],
    ['NV0002', 'có', 'có', 'không'],
    ['NV0003', 'không', 'không', 'không'],
  ],
  en: [
    ['NV0001', 'yes', 'yes', 'yes'],
    ['NV0002', 'yes', 'yes', 'no'],
    ['NV0003', 'no', 'no', 'no'],
  ],
};

const GUIDE: Record<Lang, string[]> = {
  vi: [
    'Mỗi dòng là một người lao động; thay các dòng mẫu bằng danh sách của doanh nghiệp.',
    'Mã NV: mã số người lao động (được lưu dưới dạng mã băm, không lưu mã gốc). Không cần họ tên hay số điện thoại.',
    'Các cột còn lại: có/không, x/để trống, 1/0, yes/no hoặc true/false.',
    'Đã cài Bluezone chỉ khi có điện thoại thông minh; Bật Bluetooth chỉ khi đã cài Bluezone.',
    'Tải lên: POST /v1/enterprises/{mã doanh nghiệp}/rosters?asOf=YYYY-MM-DD (thêm &dryRun=true để xem trước).',
  ],
  en: [
    'One row per worker; replace the sample rows with the enterprise roster.',
    'employee_id: the worker number (stored only as a keyed hash). Names and phone numbers are not needed.',
    'The other columns: yes/no, x/blank, 1/0, có/không or true/false.',
    'installed only with a smartphone; bluetooth_on only when installed.',
    'Upload: POST /v1/enterprises/{enterprise code}/rosters?asOf=YYYY-MM-DD (add &dryRun=true for a preview).',
  ],
};

/** The roster format as files an EZ-board clerk fills in (README, Rosters). */
@ApiTags('rosters')
@Controller('v1')
export class RosterTemplateController {
  @Get('roster-template.csv')
  @Public()
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'A roster template as CSV UTF-8 (with BOM, so Excel reads the diacritics): the header and three sample rows' })
  csv(@Query() q: RosterTemplateQueryDto, @Res({ passthrough: true }) reply: FastifyReply): string {
    const lang = q.lang ?? 'vi';
    attachment(reply, 'text/csv; charset=utf-8', `roster-template-${lang}.csv`, lang);
    return '\ufeff' + [TEMPLATE_HEADERS[lang], ...SAMPLE[lang]].map((r) => r.join(',')).join('\r\n') + '\r\n';
  }

  @Get('roster-template.xlsx')
  @Public()
  @ApiProduces(XLSX_CONTENT_TYPE)
  @ApiOperation({ summary: 'A roster template as an Excel workbook: the sheet to fill in and a sheet of instructions' })
  async xlsx(@Query() q: RosterTemplateQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const lang = q.lang ?? 'vi';
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet(lang === 'vi' ? 'Danh sách' : 'Roster');
    sheet.addRow(TEMPLATE_HEADERS[lang]).font = { bold: true };
    for (const row of SAMPLE[lang]) sheet.addRow(row);
    sheet.columns.forEach((c) => (c.width = 26));
    sheet.getColumn(1).numFmt = '@'; // ids stay text: "0012" keeps its zeros
    const guide = wb.addWorksheet(lang === 'vi' ? 'Hướng dẫn' : 'Instructions');
    for (const line of GUIDE[lang]) guide.addRow([line]);
    guide.getColumn(1).width = 110;
    attachment(reply, XLSX_CONTENT_TYPE, `roster-template-${lang}.xlsx`, lang);
    return Buffer.from(await wb.xlsx.writeBuffer());
  }
}

function attachment(reply: FastifyReply, type: string, filename: string, lang: Lang): void {
  void reply.header('content-type', type);
  void reply.header('content-disposition', `attachment; filename="${filename}"`);
  void reply.header('content-language', lang);
}
