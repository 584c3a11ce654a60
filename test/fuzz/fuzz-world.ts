import { waitFor } from '../support/int-env';
import { http } from '../support/service-harness';
import type { System } from '../support/system';
import type { World } from './openapi-requests';

/** The units the fuzz suite writes about: one of each type a route checks scope against. */
const UNITS: Array<[string, Record<string, unknown>]> = [
  ['84', { name: 'Tỉnh Trà Vinh', type: 'province' }],
  ['842', { name: 'Huyện Càng Long', type: 'district', adminParentCode: '84', head: { name: 'Nguyễn Văn A', title: 'Chủ tịch' } }],
  ['29236', { name: 'Xã Phong Phú', type: 'commune', adminParentCode: '842' }],
  ['29239', { name: 'Xã Mỹ Cẩm', type: 'commune', adminParentCode: '842' }],
  ['SO-GTVT', { name: 'Sở Giao thông vận tải', type: 'department', bloc: 'state', accountableToCode: '84' }],
  ['KKT-DINH-AN', { name: 'Khu kinh tế Định An', type: 'economic_zone', adminParentCode: '84', accountableToCode: '84' }],
  ['KCN-LONG-DUC', { name: 'Khu công nghiệp Long Đức', type: 'industrial_park', adminParentCode: '842', accountableToCode: 'KKT-DINH-AN' }],
  ['DN-0001', { name: 'Công ty May Trà Vinh', type: 'enterprise', adminParentCode: '29236', accountableToCode: 'KCN-LONG-DUC' }],
  ['BX-TV', { name: 'Bến xe Trà Vinh', type: 'transport_hub', adminParentCode: '842', accountableToCode: 'SO-GTVT' }],
  ['VNPT-TV', { name: 'VNPT Trà Vinh', type: 'telecom', accountableToCode: '84' }],
];

const SCOPED_KEYS: Array<[string, { role: string; orgUnitCode?: string }]> = [
  ['portal', { role: 'portal', orgUnitCode: '842' }],
  ['ezBoard', { role: 'ez_board', orgUnitCode: 'KKT-DINH-AN' }],
  ['transport', { role: 'transport', orgUnitCode: 'SO-GTVT' }],
  ['telecom', { role: 'telecom', orgUnitCode: 'VNPT-TV' }],
  ['analyst', { role: 'analyst' }],
];

/** Sets the world up through the registry's API (as an admin would) and waits until every service knows the keys. */
export async function setUpWorld(sys: System): Promise<World> {
  const registry = { url: sys.url('registry') };
  const admin = sys.adminKey;
  const ok = async (what: string, res: Promise<{ status: number; text: string }>) => {
    const r = await res;
    if (r.status >= 300) throw new Error(`fuzz world: ${what} → ${r.status} ${r.text.slice(0, 300)}`);
  };
  for (const [code, body] of UNITS) await ok(`unit ${code}`, http(registry, 'PUT', `/v1/org-units/${code}`, { key: admin, body }));
  await ok(
    'residents of 842',
    http(registry, 'PUT', '/v1/org-units/842/cohorts/residents', { key: admin, body: { headcount: 200_000, asOf: '2019-04-01' } }),
  );
  await ok(
    'target residents-50',
    http(registry, 'PUT', '/v1/targets/residents-50', {
      key: admin,
      body: {
        name: 'Residents 50%',
        metric: 'resident_rate',
        cohorts: ['residents'],
        tree: 'administrative',
        threshold: 0.5,
        deadline: '2020-08-20',
        reportingWindowDays: 7,
      },
    }),
  );
  const keys: Record<string, string> = { admin };
  for (const [name, body] of SCOPED_KEYS) {
    const res = await http(registry, 'POST', '/v1/api-keys', { key: admin, body: { ...body, label: `fuzz ${name}` } });
    if (res.status !== 201) throw new Error(`fuzz world: key ${name} → ${res.status} ${res.text.slice(0, 300)}`);
    keys[name] = res.body.key as string;
  }
  for (const service of ['intake', 'support-points', 'workforce', 'rates', 'compliance'] as const)
    await waitFor(
      async () => (await http({ url: sys.url(service) }, 'GET', '/v1/whoami', { key: keys.telecom })).status === 200,
      `${service} to learn the fuzz keys`,
      60_000,
      250,
    );
  await ok(
    'support point SP-1',
    http({ url: sys.url('support-points') }, 'PUT', '/v1/support-points/SP-1', {
      key: admin,
      body: { operator: 'VNPT-TV', communeCode: '29236', address: 'Điểm giao dịch VNPT, xã Phong Phú', openedOn: '2020-08-22' },
    }),
  );
  return { codes: UNITS.map(([code]) => code), ids: ['SP-1', 'residents-50'], keys };
}
