import type { Type } from '@nestjs/common';
import { createValidationPipe } from '@app/platform';
import { BatchReportsDto, MAX_BATCH_ITEMS } from './dto/batch-reports.dto';
import { CreateReportDto } from './dto/create-report.dto';
import { BatchBodyPipe, type PlainBodyPipe, ReportBodyPipe } from './report-body.pipe';

const VALID = {
  orgUnitCode: '29236',
  cohort: 'residents',
  asOf: '2020-08-25',
  headcount: 1000,
  smartphoneHolders: 800,
  installed: 500,
  bluetoothOn: 450,
};

async function outcome(run: () => Promise<unknown>): Promise<{ ok: unknown } | { status: number; body: unknown }> {
  try {
    return { ok: { ...((await run()) as object) } };
  } catch (err) {
    const e = err as { getStatus(): number; getResponse(): unknown };
    return { status: e.getStatus(), body: e.getResponse() };
  }
}

const global = createValidationPipe();

/** The pipe's answer (its value, or its error's status and body) is the global pipe's on the DTO. */
async function sameAsGlobal(pipe: PlainBodyPipe<object>, dto: Type<object>, body: unknown): Promise<void> {
  const mine = await outcome(() => pipe.transform(body));
  const theirs = await outcome(() => global.transform(body, { type: 'body', metatype: dto, data: undefined }) as Promise<unknown>);
  expect(mine).toEqual(theirs);
}

describe('ReportBodyPipe: the same result as the global pipe on CreateReportDto', () => {
  const pipe = new ReportBodyPipe();
  const bodies: unknown[] = [
    VALID,
    { ...VALID, headcount: 0, smartphoneHolders: 0, installed: 0, bluetoothOn: 0 },
    { ...VALID, extra: 1 },
    { ...VALID, headcount: -1.5 },
    { ...VALID, headcount: '1000' },
    { ...VALID, installed: 900 },
    { ...VALID, bluetoothOn: 600, installed: 400 },
    { ...VALID, asOf: '2020-02-30' },
    { ...VALID, asOf: '25/08/2020' },
    { ...VALID, cohort: 'aliens' },
    { ...VALID, orgUnitCode: '' },
    { ...VALID, orgUnitCode: 'x'.repeat(65) },
    { ...VALID, headcount: 1e12 },
    { cohort: 'residents' },
    {},
    [],
    null,
    'text',
    42,
  ];

  it.each(bodies.map((b, i) => [i, b]))('body %i', async (_i, body) => sameAsGlobal(pipe, CreateReportDto, body));
});

describe('BatchBodyPipe: the same result as the global pipe on BatchReportsDto', () => {
  const pipe = new BatchBodyPipe();
  const bodies: unknown[] = [
    { reports: [VALID] },
    { reports: [VALID, { ...VALID, extra: 1 }, null, 'x', 42] },
    { reports: Array.from({ length: MAX_BATCH_ITEMS }, () => VALID) },
    { reports: Array.from({ length: MAX_BATCH_ITEMS + 1 }, () => VALID) },
    { reports: [] },
    { reports: VALID },
    { reports: 'x' },
    { reports: null },
    { reports: [VALID], extra: 1 },
    {},
    [],
    [VALID],
    null,
    'text',
    42,
  ];

  it.each(bodies.map((b, i) => [i, b]))('body %i', async (_i, body) => sameAsGlobal(pipe, BatchReportsDto, body));
});
