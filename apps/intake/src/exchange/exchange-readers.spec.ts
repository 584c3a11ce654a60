import { Readable } from 'node:stream';
import { ProblemException } from '@app/platform';
import { sample } from '../../test/exchange/exchange-fixtures';
import { readAdx } from './adx-reader';
import { readDataValueSet } from './data-value-sets-reader';
import { assembleReports, dayOf, type DataValue, type ExchangeMapping } from './data-values';

const limits = { maxBytes: 1024 * 1024, maxValues: 1000 };
/** The body in chunks of `size` bytes, as a request stream delivers it (splitting multi-byte characters too). */
async function* chunks(text: string, size = 7): AsyncGenerator<Buffer> {
  const buf = Buffer.from(text, 'utf8');
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}
const refusal = async (p: Promise<unknown>): Promise<{ status: number; detail: string }> => {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ProblemException);
    const e = err as ProblemException;
    return { status: e.getStatus(), detail: (e.getResponse() as { detail: string }).detail };
  }
  throw new Error('not refused');
};

const FIELDS: Record<string, 'headcount' | 'smartphoneHolders' | 'installed' | 'bluetoothOn'> = {
  BZ_HEADCOUNT: 'headcount',
  BZ_SMARTPHONE: 'smartphoneHolders',
  BZ_INSTALLED: 'installed',
  BZ_BLUETOOTH_ON: 'bluetoothOn',
};
const mapping: ExchangeMapping = {
  element: (v) => {
    const field = FIELDS[v.dataElement];
    const residents =
      v.categoryOptionCombo !== undefined ? v.categoryOptionCombo === 'RESIDENTS' : v.disaggregation?.COHORT === 'RESIDENTS';
    return field && residents ? { cohort: 'residents', field } : null;
  },
  unit: (code) => (code === 'DHIS_TV_AN_PHU' ? '29236' : code),
};

describe('exchange readers: ADX and dataValueSets as data values, data values as reports', () => {
  it('reads the sample ADX file in small chunks: groups, disaggregations, annotations skipped', async () => {
    const values = await readAdx(chunks(sample('daily-residents.adx.xml')), limits, 'en');
    expect(values).toHaveLength(8);
    expect(values[2]).toEqual({
      at: 'group 1, dataValue 3 (line 12)',
      orgUnit: 'DHIS_TV_AN_PHU',
      period: '2020-08-24/P1D',
      dataElement: 'BZ_INSTALLED',
      disaggregation: { COHORT: 'RESIDENTS' },
      value: '420',
    });
    const { reports, unplaced } = assembleReports(values, mapping, 'adx', 'en');
    expect(unplaced).toEqual([]);
    expect(reports.map((r) => r.item)).toEqual([
      {
        orgUnitCode: '29236',
        cohort: 'residents',
        asOf: '2020-08-24',
        headcount: 1000,
        smartphoneHolders: 800,
        installed: 420,
        bluetoothOn: 390,
      },
      {
        orgUnitCode: '29236',
        cohort: 'residents',
        asOf: '2020-08-25',
        headcount: 1000,
        smartphoneHolders: 800,
        installed: 500,
        bluetoothOn: 450,
      },
    ]);
  });

  it('reads the sample data value set to the ADX sample’s reports (for its own unit, the set’s orgUnit by default)', async () => {
    const values = readDataValueSet(JSON.parse(sample('daily-residents.dvs.json')), 1000, 'en');
    const { reports, unplaced } = assembleReports(values, mapping, 'dhis2', 'en');
    expect(unplaced).toEqual([]);
    expect(reports.map((r) => r.item.orgUnitCode)).toEqual(['29239', '29239']);
    const adx = assembleReports(await readAdx(chunks(sample('daily-residents.adx.xml')), limits, 'en'), mapping, 'adx', 'en');
    expect(reports.map((r) => ({ ...r.item, orgUnitCode: 'X' }))).toEqual(adx.reports.map((r) => ({ ...r.item, orgUnitCode: 'X' })));
  });

  it('names the day of a daily period only', () => {
    expect(dayOf('2020-08-25/P1D', 'adx')).toBe('2020-08-25');
    expect(dayOf('2020-08-01/P1M', 'adx')).toBeNull();
    expect(dayOf('2020-08-25', 'adx')).toBeNull();
    expect(dayOf('20200825', 'dhis2')).toBe('2020-08-25');
    expect(dayOf('202008', 'dhis2')).toBeNull();
    expect(dayOf('2020W34', 'dhis2')).toBeNull();
  });

  it('keeps a count given twice out of the report, and a value that is not a number as written (for the batch rules)', () => {
    const v = (dataElement: string, value: unknown): DataValue => ({
      at: 'x',
      orgUnit: '29236',
      period: '20200825',
      dataElement,
      categoryOptionCombo: 'RESIDENTS',
      value,
    });
    const { reports } = assembleReports(
      [v('BZ_INSTALLED', '5'), v('BZ_INSTALLED', '6'), v('BZ_HEADCOUNT', 'many')],
      mapping,
      'dhis2',
      'vi',
    );
    expect(reports[0].item).toMatchObject({ installed: 5, headcount: 'many' });
    expect(reports[0].errors).toEqual([
      { field: 'installed', message: 'installed được khai báo nhiều lần cho cùng đơn vị, nhóm đối tượng và ngày' },
    ]);
  });

  it('marks an ADX group or dataValue without its required attributes as a fault of its values', async () => {
    const xml = `<adx xmlns="urn:ihe:qrph:adx:2015">
      <group orgUnit="29236" dataSet="D"><dataValue dataElement="BZ_INSTALLED" COHORT="RESIDENTS" value="1"/></group>
      <group orgUnit="29236" period="2020-08-25/P1D" dataSet="D"><dataValue COHORT="RESIDENTS" value="1"/></group>
    </adx>`;
    const values = await readAdx(chunks(xml), limits, 'en');
    expect(values.map((v) => v.fault)).toEqual([
      { field: 'period', message: 'line 2: <group> lacks its period attribute' },
      { field: 'dataElement', message: 'line 3: <dataValue> lacks its dataElement attribute' },
    ]);
    expect(assembleReports(values, mapping, 'adx', 'en').unplaced).toHaveLength(2);
  });

  it('gives up an upload that stops arriving (408) and closes it, instead of waiting for it forever', async () => {
    // A request stream whose client sent the start of a file and then nothing more.
    const body = new Readable({ read: () => undefined });
    body.push('<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="29236" ');
    expect(await refusal(readAdx(body, { maxBytes: 1 << 20, maxValues: 1000, idleMs: 50 }, 'vi'))).toEqual({
      status: 408,
      detail: 'Tệp ngừng được gửi (không nhận được dữ liệu trong 0 giây): hãy gửi lại',
    });
    expect(body.destroyed).toBe(true);
  });

  it('refuses past its byte and value limits (413), a DOCTYPE, an undeclared entity and text that is not UTF-8 (400)', async () => {
    const file = sample('daily-residents.adx.xml');
    expect(await refusal(readAdx(chunks(file), { maxBytes: 100, maxValues: 1000 }, 'en'))).toMatchObject({ status: 413 });
    expect(await refusal(readAdx(chunks(file), { maxBytes: 1 << 20, maxValues: 3 }, 'vi'))).toEqual({
      status: 413,
      detail: 'Tệp có hơn 3 giá trị dữ liệu: hãy chia tệp theo kỳ báo cáo hoặc theo huyện',
    });
    const doctype = `<!DOCTYPE adx SYSTEM "http://example.org/adx.dtd"><adx xmlns="urn:ihe:qrph:adx:2015"/>`;
    expect(await refusal(readAdx(chunks(doctype), limits, 'en'))).toMatchObject({
      status: 400,
      detail: expect.stringContaining('DOCTYPE'),
    });
    expect(await refusal(readAdx(chunks('<adx xmlns="urn:ihe:qrph:adx:2015">&ent;</adx>'), limits, 'en'))).toMatchObject({ status: 400 });
    const latin1 = Buffer.concat([
      Buffer.from('<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="C'),
      Buffer.from([0xe0]),
      Buffer.from('"/></adx>'),
    ]);
    expect(await refusal(readAdx([latin1], limits, 'en'))).toMatchObject({ status: 400, detail: expect.stringContaining('not UTF-8') });
  });

  it('refuses a body that is not a data value set, and marks a value that is not an object', () => {
    expect(() => readDataValueSet({ values: [] }, 10, 'en')).toThrow(ProblemException);
    expect(() => readDataValueSet({ dataValues: new Array(11).fill({}) }, 10, 'en')).toThrow(ProblemException);
    expect(readDataValueSet({ dataValues: [42] }, 10, 'en')[0].fault).toEqual({
      field: 'dataValues[0]',
      message: 'a data value must be a JSON object with dataElement, period, orgUnit and value',
    });
  });
});
