import { parentPort, workerData } from 'node:worker_threads';
import type { OfficialDocument } from './official-document';
import { renderOfficialDocx } from './official-document.docx';
import { renderOfficialPdf } from './official-document.pdf';

/**
 * Runs in a worker thread (document-renderer.ts): lays out one document and posts its bytes back. Laying out
 * a PDF or DOCX (fonts subset, the chart drawn or rasterised) is seconds of synchronous work on a busy
 * machine; here it never holds the service's event loop, so /health/live and every other request go on.
 */
async function main(): Promise<void> {
  const { official, format } = workerData as { official: OfficialDocument; format: 'pdf' | 'docx' };
  const bytes = format === 'pdf' ? await renderOfficialPdf(official) : await renderOfficialDocx(official);
  parentPort!.postMessage({ bytes });
}

main().catch((err: unknown) => parentPort!.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
