import { Injectable } from '@nestjs/common';
import type { ReportDoc } from '../daily-report.render';
import { toOfficialDocument } from './official-document';
import { renderOfficialDocx } from './official-document.docx';
import { renderOfficialPdf } from './official-document.pdf';
import { loadOfficialDocumentSettings, type OfficialDocumentSettings } from './official-document.settings';

export const DOCUMENT_FORMATS = ['pdf', 'docx'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

export const DOCUMENT_CONTENT_TYPE: Record<DocumentFormat, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

/** The daily report as a signed-off administrative document, in PDF or DOCX. */
@Injectable()
export class OfficialDocumentService {
  /** Read and validated when the module starts: a bad REPORT_* variable stops the service at boot. */
  private readonly settings: OfficialDocumentSettings = loadOfficialDocumentSettings();

  render(doc: ReportDoc, date: string, format: DocumentFormat): Promise<Buffer> {
    const official = toOfficialDocument(doc, date, this.settings);
    return format === 'pdf' ? renderOfficialPdf(official) : renderOfficialDocx(official);
  }

  filename(date: string, format: DocumentFormat): string {
    return `bao-cao-bluezone-${date}.${format}`;
  }
}
