import fc from 'fast-check';

/**
 * Requests generated from a service's OpenAPI document (`/docs/json`): for each operation, bodies,
 * path parameters and query values that follow its schemas (so requests reach the services' rules and
 * their database), and hostile variants of all of them (NUL bytes, huge strings, deep nesting, wrong
 * types, huge numbers, odd unicode, path and query junk, wrong content types).
 */

export interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  example?: unknown;
  format?: string;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  oneOf?: Schema[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, Schema> };
}

interface OperationObject {
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: Schema }>;
  requestBody?: { content: Record<string, { schema?: Schema }> };
}

export interface Operation {
  readonly service: string;
  readonly method: string;
  readonly template: string;
  readonly pathParams: readonly string[];
  readonly query: ReadonlyArray<{ name: string; schema: Schema; required: boolean }>;
  readonly contentTypes: readonly string[];
  readonly body?: Schema;
}

export interface FuzzRequest {
  readonly service: string;
  readonly method: string;
  readonly route: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly hostile: boolean;
}

/** What the generators draw "valid" values from: the codes, ids and keys of the world the suite set up. */
export interface World {
  readonly codes: readonly string[];
  readonly ids: readonly string[];
  readonly keys: Readonly<Record<string, string>>;
}

const WRITE = new Set(['post', 'put', 'patch', 'delete']);

export function operationsOf(service: string, doc: OpenApiDocument): Operation[] {
  const out: Operation[] = [];
  for (const [template, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const params = op.parameters ?? [];
      const content = op.requestBody?.content ?? {};
      const json = content['application/json'] ?? content['application/x-www-form-urlencoded'];
      out.push({
        service,
        method: method.toUpperCase(),
        template,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {}, required: !!p.required })),
        contentTypes: Object.keys(content),
        body: json?.schema ? resolve(doc, json.schema) : undefined,
      });
    }
  }
  return out;
}

export const isWrite = (op: Operation) => WRITE.has(op.method.toLowerCase());

/** Inlines every $ref (the documents have no recursive schemas). */
function resolve(doc: OpenApiDocument, s: Schema): Schema {
  if (s.$ref) return resolve(doc, doc.components?.schemas?.[s.$ref.split('/').pop()!] ?? {});
  return {
    ...s,
    items: s.items && resolve(doc, s.items),
    oneOf: s.oneOf?.map((o) => resolve(doc, o)),
    properties: s.properties && Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, resolve(doc, v)])),
  };
}

const CAMPAIGN_DATES = ['2020-08-04', '2020-08-19', '2020-08-20', '2020-08-21', '2020-08-25', '2020-08-30', '2020-09-01'];
const ODD_DATES = [
  '0001-01-01',
  '9999-12-31',
  '2020-02-30',
  '2020-13-01',
  '1970-01-01',
  '2100-01-01',
  '20200821',
  '2020-8-1',
  '+275760-09-13',
];

/** Strings an attacker would try in any text field. */
const HOSTILE_STRINGS = [
  '\u0000',
  'Tr\u0000à Vinh',
  '\u202eevil',
  '\ud800',
  '\udfff\ud800',
  '𝕏𝔹🇻🇳',
  'e\u0301\u0301\u0301',
  '\ufeff',
  '../../etc/passwd',
  '%00',
  '%zz',
  '${jndi:ldap://x/a}',
  "' OR 1=1 --",
  '"; DROP TABLE x; --',
  '<script>alert(1)</script>',
  '=HYPERLINK("http://x")',
  '\r\n\r\nHTTP/1.1 200 OK',
  ' ',
  '',
];

/** Hostile text; `long` reaches 70,000 characters (a body field), otherwise 2,000 (a URL still under its 8 KB limit). */
const hostileText = (long: boolean): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(...HOSTILE_STRINGS, ...ODD_DATES),
    fc.fullUnicodeString({ maxLength: 40 }),
    fc.string({ maxLength: 20 }).map((s) => `${s}\u0000${s}`),
    fc.constantFrom(...(long ? [300, 5_000, 70_000] : [120, 2_000])).map((n) => 'a'.repeat(n)),
  );
const hostileString = hostileText(true);
const hostileUrlText = hostileText(false);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(1e20, -1e20, 2 ** 53 + 2, 2147483648, -2147483649, -1, -0, 0.5, 1e308, -1e-308, Number.MAX_SAFE_INTEGER),
  fc.constantFrom(null, true, false, [], {}, [[[]]], { a: { b: { c: {} } } }, ['x', 1, null]),
  fc.jsonValue({ maxDepth: 3 }),
);

function valueFor(name: string, schema: Schema, world: World): fc.Arbitrary<unknown> {
  if (schema.oneOf?.length) return fc.oneof(...schema.oneOf.map((s) => valueFor(name, s, world)));
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  switch (schema.type ?? 'string') {
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? 0;
      const max = Math.min(schema.maximum ?? 5000, min + 5000);
      return fc.oneof({ weight: 4, arbitrary: fc.integer({ min, max }) }, { weight: 1, arbitrary: fc.constantFrom(min, max, 0, 1) });
    }
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valueFor(name, schema.items ?? {}, world), { maxLength: Math.min(schema.maxItems ?? 5, 5) });
    case 'object':
      if (schema.properties) return objectFor(schema, world);
      return fc.oneof(fc.constant(null), fc.string({ maxLength: 30 }));
    default:
      return stringFor(name, schema, world);
  }
}

function stringFor(name: string, schema: Schema, world: World): fc.Arbitrary<string> {
  if (/date|asOf|openedOn|openOn|retiredOn|deadline|^from$|^to$/i.test(name) || /^\d{4}-\d{2}-\d{2}$/.test(String(schema.example ?? '')))
    return fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...CAMPAIGN_DATES) }, { weight: 1, arbitrary: fc.constantFrom(...ODD_DATES) });
  if (/code|operator|commune|unit|parent|district|accountableTo|^target$/i.test(name))
    return fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...world.codes) },
      { weight: 1, arbitrary: fc.stringMatching(/^[A-Z0-9][A-Z0-9-]{0,9}$/) },
    );
  if (/^id$/i.test(name)) return fc.oneof(fc.constantFrom(...world.ids), fc.uuid());
  if (/^key$/i.test(name)) return fc.oneof(fc.constantFrom(...Object.values(world.keys)), fc.string({ maxLength: 40 }));
  if (schema.format === 'uuid') return fc.uuid();
  const example = typeof schema.example === 'string' ? [fc.constant(schema.example)] : [];
  return fc.oneof(...example, fc.string({ minLength: 1, maxLength: 30 }), fc.unicodeString({ minLength: 1, maxLength: 30 }));
}

function objectFor(schema: Schema, world: World): fc.Arbitrary<Record<string, unknown>> {
  const required = new Set(schema.required ?? []);
  const entries = Object.entries(schema.properties ?? {}).map(
    ([k, s]) => [k, required.has(k) ? valueFor(k, s, world) : fc.option(valueFor(k, s, world), { nil: undefined, freq: 2 })] as const,
  );
  const record = fc
    .record(Object.fromEntries(entries))
    .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));
  // Counts in the documents come largest first (headcount ≥ holders ≥ installed ≥ Bluetooth on, visitors ≥
  // their parts): halving each next one makes most bodies pass the services' count rules and reach deeper.
  return fc.tuple(record, fc.boolean()).map(([o, chain]) => {
    if (!chain) return o;
    let last: number | null = null;
    for (const [k, v] of Object.entries(o))
      if (typeof v === 'number') {
        if (last !== null) o[k] = Math.floor(last / 2);
        last = o[k] as number;
      }
    return o;
  });
}

/** Replaces, adds or removes a few fields of a JSON value; deep nesting, huge numbers and bad JSON go in as raw text. */
function hostileJson(valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  const mutated = fc
    .tuple(valid, fc.array(fc.tuple(fc.nat(), hostileValue, fc.constantFrom('replace', 'add', 'drop')), { minLength: 1, maxLength: 3 }))
    .map(([v, edits]) => {
      if (!v || typeof v !== 'object' || Array.isArray(v)) return JSON.stringify(v ?? null);
      const o: Record<string, unknown> = { ...(v as Record<string, unknown>) };
      for (const [i, value, how] of edits) {
        const keys = Object.keys(o);
        const key = keys.length ? keys[i % keys.length] : 'x';
        if (how === 'drop') delete o[key];
        else o[how === 'add' ? `extra${i % 7}` : key] = value;
      }
      return JSON.stringify(o);
    });
  const raw = fc.constantFrom(
    `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
    `{"a":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_001)}`,
    '{"headcount":1e400,"installed":-1e400}',
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"admin":true}}}',
    '{"a":1,"a":2}',
    '{"name":"\\u0000"}',
    '{"name":"\\ud800"}',
    '{',
    'null',
    '[]',
    '"just a string"',
    '',
    '\u0000',
  );
  const bigArray = fc
    .constantFrom(200, 3_000)
    .map((n) => JSON.stringify({ reports: Array.from({ length: n }, (_, i) => ({ orgUnitCode: String(i) })) }));
  return fc.oneof({ weight: 6, arbitrary: mutated }, { weight: 3, arbitrary: raw }, { weight: 1, arbitrary: bigArray });
}

/** CSV bodies: the columns each import takes, valid-looking rows and hostile ones. */
const CSV_COLUMNS: Record<string, string[]> = {
  '/v1/org-units/import': ['code', 'name', 'type', 'level', 'parent_code', 'head_name', 'head_title'],
  '/v1/reports/import': ['org_unit_code', 'cohort', 'as_of', 'headcount', 'smartphone_holders', 'installed', 'bluetooth_on'],
  '/v1/enterprises/{code}/rosters': ['employee_id', 'has_smartphone', 'installed', 'bluetooth_on'],
};

function csvBody(template: string, world: World): fc.Arbitrary<string> {
  const columns = CSV_COLUMNS[template] ?? ['a', 'b'];
  const cell = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(...world.codes, 'residents', 'commune', '3', '1', '0', 'yes', 'có', '2020-08-25', '100', '80'),
    },
    { weight: 1, arbitrary: hostileString.map((s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)) },
  );
  const row = fc.array(cell, { minLength: columns.length - 1, maxLength: columns.length + 1 }).map((r) => r.join(','));
  return fc.oneof(
    { weight: 6, arbitrary: fc.array(row, { maxLength: 30 }).map((rows) => [columns.join(','), ...rows].join('\n')) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', '\ufeff', 'only,a,header', '"unterminated,quote\n1,2', `${columns.join(',')}\n${'x,'.repeat(5_000)}`),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')) },
  );
}

/** Percent-encoding of any string (a lone surrogate goes as U+FFFD, as a browser would send it). */
const uri = (s: string) => encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'));

const pathSegment = (name: string, world: World): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 6, arbitrary: stringFor(name, {}, world).map(uri) },
    { weight: 2, arbitrary: hostileUrlText.map(uri) },
    { weight: 1, arbitrary: fc.constantFrom('%00', '%zz', '%', '..', '%2e%2e%2f', 'a'.repeat(150), '%F0%9F%98%80', '%C0%AF') },
  );

function queryString(op: Operation, world: World): fc.Arbitrary<string> {
  const param = (p: Operation['query'][number]): fc.Arbitrary<[string, string] | null> => {
    const value = fc.oneof(
      { weight: 5, arbitrary: valueFor(p.name, p.schema, world).map(String) },
      { weight: 1, arbitrary: fc.constantFrom('99999999999999999999', '-1', '1e3', 'NaN', '0x10', '', 'true', '[]') },
      { weight: 1, arbitrary: hostileUrlText },
    );
    return p.required
      ? value.map((v) => [p.name, v])
      : fc.option(
          value.map((v) => [p.name, v] as [string, string]),
          { nil: null },
        );
  };
  const junk = fc.array(fc.tuple(fc.constantFrom('colour', 'limit', 'offset', 'date', '__proto__', 'a[b]'), hostileUrlText), {
    maxLength: 2,
  });
  return fc.tuple(fc.tuple(...op.query.map(param)), junk).map(([params, extra]) => {
    const pairs = [...params.filter((p): p is [string, string] => p !== null), ...extra];
    return pairs.length ? `?${pairs.map(([k, v]) => `${uri(k)}=${uri(v)}`).join('&')}` : '';
  });
}

/** Every request the suite may send for one operation. */
export function requestsFor(op: Operation, world: World): fc.Arbitrary<FuzzRequest> {
  const path = fc.tuple(...op.pathParams.map((p) => pathSegment(p, world))).map((values) => {
    let out = op.template;
    op.pathParams.forEach((p, i) => (out = out.replace(`{${p}}`, values[i])));
    return out;
  });
  const keyNames = Object.keys(world.keys);
  const key = fc.oneof(
    { weight: 5, arbitrary: fc.constant('admin') },
    { weight: 4, arbitrary: fc.constantFrom(...keyNames) },
    { weight: 1, arbitrary: fc.constantFrom('none', 'garbage') },
  );
  const json = op.contentTypes.includes('application/json') || op.contentTypes.includes('application/x-www-form-urlencoded');
  const validBody = op.body ? valueFor('body', op.body, world) : fc.constant(undefined);
  const body: fc.Arbitrary<{ type?: string; text?: string; hostile: boolean }> = op.contentTypes.length
    ? json
      ? fc.oneof(
          {
            weight: 3,
            arbitrary: validBody.map((v) => ({ type: op.contentTypes[0], text: encodeBody(op.contentTypes[0], v), hostile: false })),
          },
          { weight: 3, arbitrary: hostileJson(validBody).map((text) => ({ type: 'application/json', text, hostile: true })) },
          {
            weight: 1,
            arbitrary: fc
              .tuple(
                fc.constantFrom(
                  undefined,
                  'text/plain',
                  'application/xml',
                  'application/json; charset=latin1',
                  'multipart/form-data; boundary=x',
                ),
                validBody,
              )
              .map(([type, v]) => ({ type, text: JSON.stringify(v ?? {}), hostile: true })),
          },
        )
      : csvBody(op.template, world).map((text) => ({ type: op.contentTypes[0], text, hostile: true }))
    : op.method === 'GET'
      ? fc.constant({ hostile: false })
      : fc.oneof(
          fc.constant({ hostile: false }),
          hostileJson(fc.constant({})).map((text) => ({ type: 'application/json', text, hostile: true })),
        );
  // Printable ASCII only: a header with other bytes is refused by the HTTP client before it is sent.
  const idempotency = fc.option(fc.oneof(fc.uuid(), fc.string({ maxLength: 300 })), { nil: undefined });
  return fc.tuple(path, queryString(op, world), key, body, idempotency).map(([p, q, k, b, idem]) => {
    const headers: Record<string, string> = {};
    if (k === 'garbage') headers.authorization = 'Bearer bz_not-a-real-key';
    else if (k !== 'none') headers.authorization = `Bearer ${world.keys[k]}`;
    if (b.type) headers['content-type'] = b.type;
    if (idem !== undefined && /^[\x20-\x7e]*$/.test(idem)) headers['idempotency-key'] = idem;
    // The pages' forms are posted from their own origin (else the same-origin check refuses them all before anything else).
    if (op.template.startsWith('/dashboard/') || op.template.startsWith('/rosters/')) headers['sec-fetch-site'] = 'same-origin';
    return {
      service: op.service,
      method: op.method,
      route: `${op.method} ${op.template}`,
      path: `${p}${q}`,
      headers,
      body: b.text,
      hostile: b.hostile,
    };
  });
}

function encodeBody(type: string, value: unknown): string {
  if (type !== 'application/x-www-form-urlencoded') return JSON.stringify(value ?? null);
  return new URLSearchParams(
    Object.entries((value ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)] as [string, string]),
  ).toString();
}
