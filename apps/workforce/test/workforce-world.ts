// The registry as the workforce tests need it, published as registry events (the registry service is not running).
import type { EventInjector } from '@test/support/service-harness';

export interface WorkforceKeys {
  ezBoard: string;
  portalA: string;
  portalOut: string;
  transport: string;
  analyst: string;
}

/**
 * BQL-KKT (the EZ board, a department) ← KKT-DINHAN (economic zone) and KCN-LONGDUC (industrial park) ←
 * enterprises DN-A, DN-B; DN-OUT answers to another department; SO-GTVT ← hub BX-TRAVINH; SO-KHAC ← BX-KHAC.
 */
export async function publishWorld(events: EventInjector): Promise<WorkforceKeys> {
  await events.unit({ code: '84', type: 'province' });
  await events.unit({ code: 'BQL-KKT', type: 'department', accountableToCode: '84' });
  await events.unit({ code: 'KKT-DINHAN', type: 'economic_zone', accountableToCode: 'BQL-KKT' });
  await events.unit({ code: 'KCN-LONGDUC', type: 'industrial_park', accountableToCode: 'BQL-KKT' });
  for (const code of ['DN-A', 'DN-B', 'DN-C', 'DN-D']) await events.unit({ code, type: 'enterprise', accountableToCode: 'KCN-LONGDUC' });
  await events.unit({ code: 'DN-E', type: 'enterprise', accountableToCode: 'KKT-DINHAN' });
  await events.unit({ code: 'SO-CT', type: 'department', accountableToCode: '84' });
  await events.unit({ code: 'DN-OUT', type: 'enterprise', accountableToCode: 'SO-CT' });
  await events.unit({ code: 'SO-GTVT', type: 'department', accountableToCode: '84' });
  await events.unit({ code: 'BX-TRAVINH', type: 'transport_hub', accountableToCode: 'SO-GTVT' });
  await events.unit({ code: 'BEN-PHA', type: 'transport_hub', accountableToCode: 'SO-GTVT' });
  await events.unit({ code: 'SO-KHAC', type: 'department', accountableToCode: '84' });
  await events.unit({ code: 'BX-KHAC', type: 'transport_hub', accountableToCode: 'SO-KHAC' });
  return {
    ezBoard: await events.key('ez_board', 'BQL-KKT'),
    portalA: await events.key('portal', 'DN-A'),
    portalOut: await events.key('portal', 'DN-OUT'),
    transport: await events.key('transport', 'SO-GTVT'),
    analyst: await events.key('analyst', null),
  };
}
