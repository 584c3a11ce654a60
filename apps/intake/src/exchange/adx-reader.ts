import { SaxesParser, type SaxesAttributeNS, type SaxesTagNS } from 'saxes';
import { ProblemException } from '@app/platform';
import type { DataValue } from './data-values';
import { EXCHANGE_MESSAGES, say, type Lang } from './exchange-messages';

/** The ADX namespace (IHE QRPH ADX, 2015). */
export const ADX_NAMESPACE = 'urn:ihe:qrph:adx:2015';
export const ADX_CONTENT_TYPE = 'application/adx+xml';

export interface AdxLimits {
  /** Bytes read before the file is refused (413). */
  readonly maxBytes: number;
  /** Data values read before the file is refused (413). */
  readonly maxValues: number;
  /** Milliseconds without a byte before the upload is given up (408); ADX_IDLE_MS when absent. */
  readonly idleMs?: number;
}

/** Attributes of a dataValue that are not disaggregations. */
const VALUE_ATTRIBUTES = new Set(['dataElement', 'value']);

/**
 * Reads an ADX message (IHE QRPH ADX: `<adx>` holding `<group orgUnit period dataSet>` elements, each holding
 * `<dataValue dataElement value …disaggregations/>`) from a stream, as data values, without building the
 * document: saxes is fed the UTF-8 text as it arrives, and only the data values are kept (at most
 * `maxValues`, after at most `maxBytes`; beyond either, 413). A DOCTYPE is refused before anything else is
 * read, so no DTD, entity definition or expansion (XXE, "billion laughs") is ever processed; a reference to
 * any entity but the five predefined ones is an error of saxes itself. Annotations and other elements inside
 * a dataValue are skipped; a group or dataValue without its required attributes is a fault of that value.
 */
export async function readAdx(
  body: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  limits: AdxLimits,
  lang: Lang,
): Promise<DataValue[]> {
  const values: DataValue[] = [];
  const parser = new SaxesParser({ xmlns: true, position: true });
  let failure: ProblemException | null = null;
  const fail = (status: number, detail: string): void => {
    failure ??= new ProblemException(status, detail, [{ field: 'body', message: detail }]);
  };
  const stack: string[] = [];
  let group: { orgUnit?: string; period?: string; dataSet?: string; index: number; line: number } | null = null;
  let groups = 0;
  let valuesInGroup = 0;

  parser.on('doctype', () => fail(400, say(EXCHANGE_MESSAGES.doctype, lang, undefined)));
  parser.on('error', (err) =>
    fail(400, say(EXCHANGE_MESSAGES.notXml, lang, { line: parser.line, reason: err.message.replace(/^\d+:\d+: /, '') })),
  );
  parser.on('opentag', (tag: SaxesTagNS) => {
    if (failure) return;
    const parent = stack[stack.length - 1];
    stack.push(tag.local);
    const attr = (name: string): string | undefined => {
      const a = tag.attributes[name] as SaxesAttributeNS | undefined;
      return a && a.uri === '' ? a.value : undefined;
    };
    const line = parser.line;
    if (parent === undefined) {
      if (tag.local !== 'adx' || (tag.uri !== ADX_NAMESPACE && tag.uri !== ''))
        fail(400, say(EXCHANGE_MESSAGES.notAdx, lang, { root: tag.name }));
      return;
    }
    if (parent === 'adx') {
      if (tag.local !== 'group') return fail(400, say(EXCHANGE_MESSAGES.misplaced, lang, { line, element: tag.name, parent }));
      groups += 1;
      valuesInGroup = 0;
      group = { orgUnit: attr('orgUnit'), period: attr('period'), dataSet: attr('dataSet'), index: groups, line };
      return;
    }
    if (parent === 'group' && stack.length === 3) {
      if (tag.local !== 'dataValue') return fail(400, say(EXCHANGE_MESSAGES.misplaced, lang, { line, element: tag.name, parent }));
      valuesInGroup += 1;
      if (values.length >= limits.maxValues) return fail(413, say(EXCHANGE_MESSAGES.tooManyValues, lang, { max: limits.maxValues }));
      const g = group!;
      const disaggregation: Record<string, string> = {};
      for (const a of Object.values(tag.attributes) as SaxesAttributeNS[]) {
        if (a.uri === '' && a.prefix === '' && a.name !== 'xmlns' && !VALUE_ATTRIBUTES.has(a.local)) disaggregation[a.local] = a.value;
      }
      const missing = (['orgUnit', 'period', 'dataSet'] as const).find((k) => g[k] === undefined);
      const dataElement = attr('dataElement');
      const value = attr('value');
      const at = `group ${g.index}, dataValue ${valuesInGroup} (line ${line})`;
      let fault: DataValue['fault'];
      if (missing)
        fault = {
          field: missing,
          message: say(EXCHANGE_MESSAGES.missingAttribute, lang, { line: g.line, element: 'group', attribute: missing }),
        };
      else if (dataElement === undefined || value === undefined)
        fault = {
          field: dataElement === undefined ? 'dataElement' : 'value',
          message: say(EXCHANGE_MESSAGES.missingAttribute, lang, {
            line,
            element: 'dataValue',
            attribute: dataElement === undefined ? 'dataElement' : 'value',
          }),
        };
      values.push({
        at,
        orgUnit: g.orgUnit ?? '',
        period: g.period ?? '',
        dataElement: dataElement ?? '',
        disaggregation,
        value,
        ...(fault ? { fault } : {}),
      });
    }
    // Deeper elements (a dataValue's annotation) are skipped.
  });
  parser.on('closetag', () => {
    const closed = stack.pop();
    if (closed === 'group' && stack.length === 1) group = null;
  });

  const decoder = new TextDecoder('utf-8', { fatal: true });
  let bytes = 0;
  const idleMs = limits.idleMs ?? ADX_IDLE_MS;
  const stalled = () => fail(408, say(EXCHANGE_MESSAGES.bodyStalled, lang, { seconds: Math.round(idleMs / 1000) }));
  try {
    for await (const chunk of untilIdle(body, idleMs, stalled)) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      bytes += buf.length;
      if (bytes > limits.maxBytes) fail(413, say(EXCHANGE_MESSAGES.fileTooLarge, lang, { maxBytes: limits.maxBytes }));
      if (failure) break;
      parser.write(decoder.decode(buf, { stream: true }));
      if (failure) break;
    }
    if (!failure) {
      parser.write(decoder.decode());
      parser.close();
    }
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA')
      fail(400, say(EXCHANGE_MESSAGES.notXml, lang, { line: parser.line, reason: 'not UTF-8 text' }));
    else throw err;
  }
  if (failure) throw failure;
  return values;
}

/** How long an upload may send nothing before it is given up (408): a stalled client must not hold a request open forever. */
export const ADX_IDLE_MS = 20_000;

/**
 * The chunks of `source` until it ends or sends nothing for `idleMs`; then `onIdle` is called and the
 * source is closed (a request stream: destroyed, as the server does with a body past its limit).
 */
async function* untilIdle<T>(source: AsyncIterable<T> | Iterable<T>, idleMs: number, onIdle: () => void): AsyncGenerator<T> {
  const it: AsyncIterator<T> | Iterator<T> =
    Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (source as Iterable<T>)[Symbol.iterator]();
  let state: 'reading' | 'ended' | 'idle' = 'reading';
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<'idle'>((resolve) => (timer = setTimeout(() => resolve('idle'), idleMs)));
      const next = await Promise.race([it.next(), idle]).finally(() => clearTimeout(timer));
      if (next === 'idle') {
        state = 'idle';
        onIdle();
        return;
      }
      if (next.done) {
        state = 'ended';
        return;
      }
      yield next.value;
    }
  } finally {
    if (state === 'idle') {
      // The stream (the request) is destroyed at once; return() is not awaited: an iterator busy with a
      // next() that never settles would hold this forever.
      (source as { destroy?: () => void }).destroy?.();
      void Promise.resolve(it.return?.()).catch(() => undefined);
    } else if (state === 'reading') {
      // The reader stopped early (a refusal): the rest of the body is read and dropped so the answer goes out
      // on a sound connection. Never await the iterator's return() here: on a request stream it waits for a
      // 'close' that a kept-alive connection does not send, and the answer would never leave (the fuzz
      // suite's hung request, seed 1234743796).
      // The iterator's 'readable' listener is removed first: while one is attached resume() does nothing, the
      // rest of the body stays in the socket and the next request on that kept-alive connection is never read.
      const stream = source as { removeAllListeners?: (event: string) => unknown; resume?: () => void };
      stream.removeAllListeners?.('readable');
      stream.resume?.();
    }
  }
}
