import type { DataSource } from 'typeorm';
import { registryService } from '../main';
import { disposeService, http, startService, type RunningService } from '@test/support/service-harness';
import { resolveDataDir } from './data-dir';
import { TargetsService } from '../targets/targets.service';
import { SeedService } from './seed.service';

jest.setTimeout(60_000);

const ds = (svc: RunningService) => svc.runtime['dataSource'] as DataSource;
async function outboxCount(svc: RunningService): Promise<number> {
  const [{ n }]: Array<{ n: number }> = await ds(svc).query(`SELECT count(*)::int AS n FROM outbox`);
  return n;
}
const codes = (items: Array<{ code: string }>) => items.map((u) => u.code).sort();

describe('the Trà Vinh deployment (SEED=tra-vinh)', () => {
  let svc: RunningService;

  beforeAll(async () => {
    svc = await startService(registryService, { env: { SEED: 'tra-vinh' } });
  });
  afterAll(async () => {
    if (svc) await disposeService(svc);
  });

  it('loads the province, 9 districts and 106 communes, the organisations of the directive and the zones, at boot', async () => {
    const all = await http(svc, 'GET', '/v1/org-units?limit=1000');
    expect(all.body.total).toBe(116 + 13 + 4);
    expect((await http(svc, 'GET', '/v1/org-units?type=commune')).body.total).toBe(106);
    expect((await http(svc, 'GET', '/v1/org-units?parent=84&tree=administrative')).body.total).toBe(9);
    const answeringToProvince = await http(svc, 'GET', '/v1/org-units?parent=84&tree=accountability&limit=100');
    expect(codes(answeringToProvince.body.items)).toEqual(
      [
        '842',
        '844',
        '845',
        '846',
        '847',
        '848',
        '849',
        '850',
        '851',
        'BQL-KKT',
        'BUU-DIEN-TV',
        'HCCB-TV',
        'HLHPN-TV',
        'HND-TV',
        'LDLD-TV',
        'MOBIFONE-TV',
        'SO-GTVT',
        'SO-TTTT',
        'SO-VHTTDL',
        'TINH-DOAN-TV',
        'VIETTEL-TV',
        'VNPT-TV',
      ].sort(),
    );
    const board = await http(svc, 'GET', '/v1/org-units/BQL-KKT');
    expect(board.body).toMatchObject({ type: 'department', bloc: 'state', accountableToCode: '84' });
    expect(codes(board.body.children.accountability)).toEqual(['KCN-CAU-QUAN', 'KCN-CO-CHIEN', 'KCN-LONG-DUC', 'KKT-DINH-AN']);
    expect((await http(svc, 'GET', '/v1/org-units/KKT-DINH-AN')).body).toMatchObject({
      name: 'Khu kinh tế Định An',
      type: 'economic_zone',
    });
    expect((await http(svc, 'GET', '/v1/org-units/HLHPN-TV')).body).toMatchObject({ type: 'mass_org', bloc: 'front' });
    expect((await http(svc, 'GET', '/v1/org-units/VNPT-TV')).body).toMatchObject({ type: 'telecom', bloc: null });
    const commune = await http(svc, 'GET', '/v1/org-units/29296');
    expect(commune.body.parents.accountability.map((u: { code: string }) => u.code)).toEqual(['844', '84']);
  });

  it("sets the province's residents, 1,009,168 as of 2019-04-01, and the directive's two targets", async () => {
    expect((await http(svc, 'GET', '/v1/org-units/84/cohorts')).body).toEqual([
      { orgUnitCode: '84', cohort: 'residents', headcount: 1009168, asOf: '2019-04-01' },
    ]);
    const residents = await http(svc, 'GET', '/v1/targets/residents-50');
    expect(residents.body).toMatchObject({
      nameVi: 'Tỷ lệ người dân cài đặt ứng dụng Bluezone đạt 50% dân số đến ngày 20/8/2020',
      nameEn: 'Residents with Bluezone installed ≥ 50% of the population by 2020-08-20',
      metric: 'resident_rate',
      cohorts: ['residents'],
      tree: 'administrative',
      threshold: 0.5,
      deadline: '2020-08-20',
    });
    const members = await http(svc, 'GET', '/v1/targets/members-100');
    expect(members.body.nameVi).toMatch(/^100% cán bộ, công chức, viên chức.*luôn mở Bluetooth đến ngày 30\/8\/2020$/);
    expect(members.body).toMatchObject({
      metric: 'bluetooth_rate',
      cohorts: ['staff', 'students', 'youth_members', 'association_members', 'enterprise_workers'],
      tree: 'accountability',
      threshold: 1,
      deadline: '2020-08-30',
    });
    expect(await outboxCount(svc)).toBe(133 + 1 + 2);
  });

  it('publishes again, as a new revision with both names, a target the names migration marked (once, whoever starts first)', async () => {
    await ds(svc).query(`UPDATE targets SET republish = true WHERE id = 'members-100'`);
    const before = await outboxCount(svc);
    const revision = (await http(svc, 'GET', '/v1/targets/members-100')).body.revision;
    expect(await svc.app.get(TargetsService).publishMarked()).toBe(1);
    expect(await svc.app.get(TargetsService).publishMarked()).toBe(0);
    expect(await outboxCount(svc)).toBe(before + 1);
    const [{ envelope }] = await ds(svc).query(`SELECT envelope FROM outbox ORDER BY seq DESC LIMIT 1`);
    expect(envelope).toMatchObject({
      type: 'registry.target.set',
      version: 2,
      data: { targetId: 'members-100', revision: revision + 1, nameVi: expect.stringMatching(/^100% cán bộ/) },
    });
  });

  it("gives the directive's organisations a head that says it is a placeholder, with no phone or e-mail", async () => {
    expect((await http(svc, 'GET', '/v1/org-units/HLHPN-TV')).body.head).toEqual({
      name: 'Chưa cập nhật (dữ liệu mẫu, cần nhập người đứng đầu)',
      title: 'Thủ trưởng đơn vị',
      phone: null,
      email: null,
      contactsMasked: true,
    });
  });

  it('is idempotent and keeps edits made since: a second run and a restart change and publish nothing', async () => {
    const edited = await http(svc, 'PUT', '/v1/org-units/SO-TTTT', {
      body: {
        name: 'Sở Thông tin và Truyền thông tỉnh Trà Vinh',
        type: 'department',
        bloc: 'state',
        accountableToCode: '84',
        head: { name: 'Nguyễn Văn D', title: 'Giám đốc', phone: '0294 3862 123', email: 'nvd@travinh.gov.vn' },
      },
    });
    expect(edited.body.outcome).toBe('updated');
    const before = await outboxCount(svc);
    expect(await svc.app.get(SeedService).seedTraVinh(resolveDataDir())).toEqual({
      unitsCreated: 0,
      unitsKept: 133,
      cohortsSet: 0,
      targetsCreated: 0,
    });
    expect(await outboxCount(svc)).toBe(before);

    await svc.close();
    svc = await startService(registryService, { databaseUrl: svc.databaseUrl, namespace: svc.namespace, env: { SEED: 'tra-vinh' } });
    expect(await outboxCount(svc)).toBe(before);
    // The registry takes contacts and shows them masked, even to an admin: they are read in compliance, where every read is recorded.
    expect((await http(svc, 'GET', '/v1/org-units/SO-TTTT')).body.head).toEqual({
      name: 'Nguyễn Văn D',
      title: 'Giám đốc',
      phone: '0294 **** *23',
      email: 'n***@travinh.gov.vn',
      contactsMasked: true,
    });
    const [row] = await ds(svc).query(`SELECT head_phone, head_email FROM org_units WHERE code = 'SO-TTTT'`);
    expect(row).toEqual({ head_phone: '+842943862123', head_email: 'nvd@travinh.gov.vn' });
  });
});
