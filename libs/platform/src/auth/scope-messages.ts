import { ForbiddenException } from '@nestjs/common';
import type { Role } from '@app/contracts';
import type { Lang } from '@app/domain';
import type { Principal } from './principal';

/** Who a key is, as its refusal names it. */
const KEY_OF: Readonly<Record<Lang, Readonly<Record<Role, string>>>> = {
  vi: {
    admin: 'Khóa quản trị này',
    analyst: 'Khóa phân tích này',
    portal: 'Khóa của đơn vị này',
    ez_board: 'Khóa của Ban quản lý này',
    transport: 'Khóa của đầu mối vận tải này',
    telecom: 'Khóa của nhà mạng này',
  },
  en: {
    admin: 'this admin key',
    analyst: 'this analyst key',
    portal: 'this portal key',
    ez_board: 'this EZ-board key',
    transport: 'this transport key',
    telecom: 'this telecom key',
  },
};

function outsideText(principal: Principal, unitCode: string, lang: Lang): string {
  const key = KEY_OF[lang][principal.role];
  const own = principal.orgUnitCode;
  if (lang === 'vi')
    return own === null
      ? `${key} chỉ được xem số liệu, không được thao tác cho đơn vị ${unitCode}`
      : `${key} chỉ dùng cho đơn vị ${own} và các đơn vị trực thuộc; đơn vị ${unitCode} nằm ngoài phạm vi đó`;
  return own === null
    ? `${key} reads only and may not act for unit ${unitCode}`
    : `${key} acts for unit ${own} and its subtree only: it may not act for unit ${unitCode}, which is outside it`;
}

/**
 * The 403 of a unit outside a key's scope, as problem+json with the unit as the field in error. In the
 * reader's language when the caller knows it (Accept-Language), else Vietnamese first, then English.
 */
export function outsideScope(principal: Principal, unitCode: string, lang?: Lang): ForbiddenException {
  const detail = lang
    ? outsideText(principal, unitCode, lang)
    : `${outsideText(principal, unitCode, 'vi')} (${outsideText(principal, unitCode, 'en')})`;
  return new ForbiddenException({
    detail,
    errors: [{ field: 'orgUnitCode', message: `orgUnitCode ${unitCode}: ${outsideText(principal, unitCode, 'en')}` }],
  });
}
