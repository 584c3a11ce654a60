import { Injectable } from '@nestjs/common';
import { NotifierConfig } from '../notifier.config';

export type ReportLang = 'vi' | 'en';

export interface DailyReportFiles {
  pdf: Buffer;
  pdfName: string;
  html: string;
}

/**
 * The day's report as compliance renders it (one rendering for the page, the download and the e-mail):
 * its HTML for the message body and its PDF, the official document, as the attachment.
 */
@Injectable()
export class ReportSource {
  constructor(private readonly config: NotifierConfig) {}

  async fetch(date: string, lang: ReportLang): Promise<DailyReportFiles> {
    const [pdf, html] = await Promise.all([this.get(date, lang, 'pdf'), this.get(date, lang, 'html')]);
    return { pdf: Buffer.from(await pdf.arrayBuffer()), pdfName: `bao-cao-bluezone-${date}.pdf`, html: await html.text() };
  }

  private async get(date: string, lang: ReportLang, format: 'pdf' | 'html'): Promise<Response> {
    const url = new URL('/v1/daily-report', this.config.COMPLIANCE_URL);
    url.search = new URLSearchParams({ date, lang, format }).toString();
    const key = this.config.COMPLIANCE_API_KEY ?? this.config.ADMIN_API_KEY;
    const res = await fetch(url, {
      headers: key ? { authorization: `Bearer ${key}` } : {},
      signal: AbortSignal.timeout(120_000),
    });
    if (!res.ok)
      throw new Error(`compliance answered ${res.status} for the ${format} report of ${date}: ${(await res.text()).slice(0, 300)}`);
    return res;
  }
}
