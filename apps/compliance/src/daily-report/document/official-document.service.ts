import { Injectable } from '@nestjs/common';
import type { ReportDoc } from '../daily-report.render';
import { DocumentRenderer } from './document-renderer';
import { toOfficialDocument } from './official-document';
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
  private readonly renderer = new DocumentRenderer();

  render(doc: ReportDoc, date: string, format: DocumentFormat): Promise<Buffer> {
    const official = toOfficialDocument(doc, date, this.settings);
    return this.renderer.render(official, format);
  }

  filename(date: string, format: DocumentFormat): string {
    return `bao-cao-bluezone-${date}.${format}`;
  }
}
