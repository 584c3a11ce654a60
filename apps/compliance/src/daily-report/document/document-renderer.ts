import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { OfficialDocument } from './official-document';
import { renderOfficialDocx } from './official-document.docx';
import { renderOfficialPdf } from './official-document.pdf';

/** The compiled worker (dist/). Under the test runner the sources are TypeScript and the layout runs in-process. */
const WORKER_FILE = join(__dirname, 'document-render.worker.js');

/**
 * Lays out official documents off the event loop: each in a worker thread of its own (memory capped, freed
 * when it ends), at most `concurrency` at a time, the others waiting their turn. A document is asked for a
 * few times a day (the scheduled delivery, an official's download), so a thread per document costs little
 * and leaves nothing behind.
 */
export class DocumentRenderer {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly concurrency = 2,
    private readonly inWorker = existsSync(WORKER_FILE),
  ) {}

  async render(official: OfficialDocument, format: 'pdf' | 'docx'): Promise<Buffer> {
    if (this.running >= this.concurrency) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      if (!this.inWorker) return await (format === 'pdf' ? renderOfficialPdf(official) : renderOfficialDocx(official));
      return await renderInWorker(official, format);
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

function renderInWorker(official: OfficialDocument, format: 'pdf' | 'docx'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_FILE, { workerData: { official, format }, resourceLimits: { maxOldGenerationSizeMb: 512 } });
    worker.once('message', (m: { bytes?: Uint8Array; error?: string }) =>
      m.bytes ? resolve(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength)) : reject(new Error(m.error)),
    );
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the document worker ended with code ${code} before answering`)));
  });
}
