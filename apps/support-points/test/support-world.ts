// The registry as the support-point tests need it, published as registry events (the registry service is not running).
import type { EventInjector } from '@test/support/service-harness';

/** Province 84 ← district 845 ← commune 29308 (Cầu Kè), and the telecom VNPT-TV; returns a telecom key of VNPT-TV. */
export async function publishSupportWorld(events: EventInjector): Promise<string> {
  await events.unit({ code: '84', type: 'province', level: 1 });
  await events.unit({ code: '845', type: 'district', level: 2, adminParentCode: '84' });
  await events.unit({ code: '29308', type: 'commune', level: 3, adminParentCode: '845' });
  await events.unit({ code: 'VNPT-TV', type: 'telecom' });
  return events.key('telecom', 'VNPT-TV');
}
