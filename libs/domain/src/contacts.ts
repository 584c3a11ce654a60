import { formatVietnamesePhone, type Role } from '@app/contracts';

/**
 * Heads' phone numbers and e-mail addresses are personal data (docs/data-protection.md): admins and
 * analysts read them in full (and compliance records every such read); every other key reads them masked,
 * enough to recognise a number one already has, not enough to call it.
 */
export function revealsContacts(p: { readonly role: Role } | null): boolean {
  return p !== null && (p.role === 'admin' || p.role === 'analyst');
}

/** Keeps the first four digits and the last two: 0912 345 678 → 0912 *** *78. */
export function maskPhone(national: string): string {
  const total = national.replace(/\D/g, '').length;
  let seen = 0;
  return national.replace(/\d/g, (d) => {
    seen += 1;
    return seen <= 4 || seen > total - 2 ? d : '*';
  });
}

/** Keeps the first letter of the mailbox and the whole domain: nguyen.van.a@travinh.gov.vn → n***@travinh.gov.vn. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at <= 0 ? '***' : `${email[0]}***${email.slice(at)}`;
}

/** A stored phone (E.164) and e-mail as a reader sees them: in the national form, masked unless `reveal`. */
export function presentContacts(
  phone: string | null,
  email: string | null,
  reveal: boolean,
): { phone: string | null; email: string | null; contactsMasked: boolean } {
  const national = phone ? formatVietnamesePhone(phone) : null;
  return {
    phone: national && !reveal ? maskPhone(national) : national,
    email: email && !reveal ? maskEmail(email) : email,
    contactsMasked: !reveal,
  };
}
