/**
 * The roster page's only script, run in the browser. It is sent as the source of `wireRosterDrop` (see
 * roster-page.controller.ts), so it must be self-contained: no imports, nothing from the module around it.
 * Without it the page still works (the file input is a plain one inside the drop zone); with it a file
 * dropped anywhere on the zone becomes the input's file, and the zone names the file chosen.
 */

/** The few browser objects used (the service's TypeScript has no DOM library). */
interface DropEvent {
  preventDefault(): void;
  dataTransfer: { files: unknown & { length: number } } | null;
}
interface Zone {
  dataset: Record<string, string | undefined>;
  classList: { add(c: string): void; remove(c: string): void };
  addEventListener(type: string, fn: (e: DropEvent) => void): void;
}
interface FileInput {
  files: (unknown & { length: number; item(i: number): { name: string } | null }) | null;
  addEventListener(type: string, fn: () => void): void;
}
interface Text {
  textContent: string | null;
}
interface BrowserGlobals {
  document: { getElementById(id: string): unknown };
}

export function wireRosterDrop(): void {
  const doc = (globalThis as unknown as BrowserGlobals).document;
  const zone = doc.getElementById('drop') as Zone | null;
  const input = doc.getElementById('file') as FileInput | null;
  const chosen = doc.getElementById('chosen') as Text | null;
  if (!zone || !input || !chosen) return;
  const show = (): void => {
    const f = input.files && input.files.length ? input.files.item(0) : null;
    chosen.textContent = f ? `${zone.dataset.chosen ?? ''} ${f.name}` : (zone.dataset.none ?? '');
  };
  input.addEventListener('change', show);
  for (const type of ['dragenter', 'dragover'])
    zone.addEventListener(type, (e) => {
      e.preventDefault();
      zone.classList.add('over');
    });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    if (e.dataTransfer && e.dataTransfer.files.length) {
      input.files = e.dataTransfer.files as FileInput['files'];
      show();
    }
  });
}

export const ROSTER_DROP_SCRIPT = `'use strict';\n(${wireRosterDrop.toString()})();\n`;
