import { Transform } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemException } from './problem.filter';

/** Deeper than any body of the API (a batch of reports is 3): class-transformer and class-validator recurse. */
export const MAX_JSON_DEPTH = 32;
/** Fields listed in one answer: enough to fix a request, not an amplifier. */
const MAX_LISTED = 20;

export interface FieldError {
  field: string;
  message: string;
}

/**
 * Counts the nesting of a JSON text as it streams in (bytes: the structural characters are ASCII, so
 * UTF-8 needs no decoding), skipping strings. One linear pass, before JSON.parse (which takes seconds
 * over a 5 MB body of brackets) and before the validation pipe (whose recursion overflows the stack).
 */
export class JsonDepthCounter {
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(private readonly limit: number) {}

  /** False as soon as the text has gone deeper than the limit. */
  feed(chunk: Uint8Array): boolean {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.inString = false;
      } else if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) {
        if (++this.depth > this.limit) return false;
      } else if (c === 0x7d || c === 0x5d) this.depth--;
    }
    return true;
  }
}

/** The request body stream, refused (400, field `body`) once it nests deeper than MAX_JSON_DEPTH. */
function depthGuarded(payload: NodeJS.ReadableStream): Transform & { receivedEncodedLength: number } {
  const counter = new JsonDepthCounter(MAX_JSON_DEPTH);
  const guard = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      guard.receivedEncodedLength += chunk.length;
      if (counter.feed(chunk)) callback(null, chunk);
      else {
        const message = `body nests deeper than ${MAX_JSON_DEPTH} levels`;
        callback(new ProblemException(400, message, [{ field: 'body', message }]));
      }
    },
  }) as Transform & { receivedEncodedLength: number };
  guard.receivedEncodedLength = 0;
  payload.on('error', (err) => guard.destroy(err));
  return payload.pipe(guard);
}

const NUL = '\u0000';
const nulMessage = (field: string) => `${field} must not contain a NUL character (U+0000)`;

/**
 * Parsed input is plain data: JSON objects, and the query and path objects Fastify makes. Anything
 * else (a roster route's body is the request stream itself) is not input to look into: its object
 * graph is the socket's, server's and parser's, cycles included.
 */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (!v || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Every string (and object key) holding U+0000 in a parsed value, named by its path (`head.name`,
 * `reports[2].orgUnitCode`); PostgreSQL cannot store the character in text, so it is refused here, once,
 * for every input. Iterative, and only into plain data (see isPlainObject).
 */
export function nulFields(value: unknown, root = ''): FieldError[] {
  const out: FieldError[] = [];
  // [value, its path, whether its own field name holds a NUL]: reported in document order.
  const stack: Array<[unknown, string, boolean]> = [[value, root, false]];
  while (stack.length && out.length < MAX_LISTED) {
    const [v, path, badName] = stack.pop()!;
    if (badName) out.push({ field: path, message: 'a field name must not contain a NUL character (U+0000)' });
    if (typeof v === 'string') {
      if (v.includes(NUL)) out.push({ field: path || 'body', message: nulMessage(path || 'body') });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`, false]);
    } else if (isPlainObject(v)) {
      for (const [k, child] of Object.entries(v).reverse()) stack.push([child, path ? `${path}.${k}` : k, k.includes(NUL)]);
    }
  }
  return out;
}

/** The lines of a text body (CSV) holding U+0000: the field is `body`, the message names the line. */
export function nulLines(text: string): FieldError[] {
  if (!text.includes(NUL)) return [];
  const out: FieldError[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && out.length < MAX_LISTED; i++)
    if (lines[i].includes(NUL)) out.push({ field: 'body', message: `body line ${i + 1} must not contain a NUL character (U+0000)` });
  return out;
}

/** Every NUL in the request's path parameters, query and body (JSON or text), each by its name. */
export function requestNulFields(req: Pick<FastifyRequest, 'params' | 'query' | 'body'>): FieldError[] {
  const body = typeof req.body === 'string' ? nulLines(req.body) : nulFields(req.body);
  // Fastify's query and params objects have prototypes of their own: their own fields, as plain objects.
  const own = (o: unknown) => (o && typeof o === 'object' ? { ...o } : o);
  return [...nulFields(own(req.params)), ...nulFields(own(req.query)), ...body].slice(0, MAX_LISTED);
}

/**
 * What every request's input passes before Nest sees it: JSON no deeper than MAX_JSON_DEPTH (then
 * Nest's parser, Fastify's, with its prototype-poisoning checks), and no NUL character anywhere.
 */
export function registerInputGuards(fastify: FastifyInstance): void {
  fastify.addHook('preParsing', (req, _reply, payload, done) => {
    done(null, /json/i.test(req.headers['content-type'] ?? '') ? depthGuarded(payload) : payload);
  });
  fastify.addHook('preValidation', (req, _reply, done) => {
    const errors = requestNulFields(req);
    if (errors.length) done(new ProblemException(400, `invalid request: ${errors.map((e) => e.message).join('; ')}`, errors));
    else done();
  });
}
