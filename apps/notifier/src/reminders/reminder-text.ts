import type { ReminderItem } from './reminder.rules';

export interface ReminderUnit {
  code: string;
  name: string;
  headName: string | null;
  headTitle: string | null;
  /** The unit and head this unit answers to (accountability tree). */
  accountableTo: { name: string; headName: string | null; headTitle: string | null } | null;
}

const pct = (r: number | null) =>
  r === null ? '—' : `${new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(r * 100)}%`;
const int = (n: number) => new Intl.NumberFormat('vi-VN').format(n);
const dmy = (date: string) => date.split('-').reverse().join('/');
const when = (daysLeft: number) => (daysLeft === 0 ? 'hôm nay là hạn cuối' : `còn ${daysLeft} ngày`);

function itemLine(i: ReminderItem): string {
  const t = `chỉ tiêu "${i.target.name}"`;
  if (i.reason === 'silent')
    return `Đơn vị chưa báo cáo số liệu trong thời hạn báo cáo của ${t}; hạn ${dmy(i.target.deadline)} (${when(i.daysLeft)}).`;
  return `${t.charAt(0).toUpperCase()}${t.slice(1)}: đơn vị đạt ${pct(i.status.value)} (yêu cầu ${pct(i.status.threshold)}), còn thiếu ${int(i.status.gap)} người; hạn ${dmy(i.target.deadline)} (${when(i.daysLeft)}).`;
}

function answersTo(u: ReminderUnit): string | null {
  const a = u.accountableTo;
  if (!a) return null;
  const head = [a.headTitle, a.headName].filter(Boolean).join(' ');
  return head ? `${head} (${a.name})` : a.name;
}

/** The unit's page on the dashboard, for the day of the figures (the sign-in form first, for a browser without a key). */
export function unitPageUrl(dashboard: string, code: string, day: string): string {
  const url = new URL(`dashboard/units/${encodeURIComponent(code)}`, dashboard.endsWith('/') ? dashboard : `${dashboard}/`);
  url.searchParams.set('date', day);
  return url.toString();
}

/**
 * The e-mail to a unit's head: its figure, the gap in people, the deadline, who the head answers to, and (given the
 * dashboard's public address) where the unit's page is. Vietnamese.
 */
export function reminderEmail(
  u: ReminderUnit,
  items: readonly ReminderItem[],
  day: string,
  dashboard?: string,
): { subject: string; body: string } {
  const greeting = u.headName
    ? `Kính gửi đồng chí ${u.headName}${u.headTitle ? `, ${u.headTitle}` : ''} — ${u.name}.`
    : `Kính gửi Thủ trưởng ${u.name}.`;
  const to = answersTo(u);
  const lines = [
    greeting,
    '',
    `Sở Thông tin và Truyền thông nhắc việc triển khai cài đặt ứng dụng Bluezone (Công văn số 3359/UBND-CNXD), số liệu ngày ${dmy(day)}:`,
    ...items.map((i) => `- ${itemLine(i)}`),
    '',
    ...(to ? [`Đồng chí chịu trách nhiệm trước ${to} về kết quả thực hiện của đơn vị.`] : []),
    'Đề nghị đơn vị khẩn trương triển khai và báo cáo số liệu.',
    ...(dashboard ? [`Xem số liệu chi tiết của đơn vị: ${unitPageUrl(dashboard, u.code, day)}`] : []),
    '',
    'Sở Thông tin và Truyền thông tỉnh Trà Vinh',
  ];
  return { subject: `Nhắc việc cài đặt Bluezone: ${u.name}, ngày ${dmy(day)}`, body: lines.join('\n') };
}

/** The SMS: the same facts, short (the gateway adapter drops diacritics where configured). */
export function reminderSms(u: ReminderUnit, items: readonly ReminderItem[]): string {
  const parts = items.map((i) =>
    i.reason === 'silent'
      ? `${i.target.name}: chưa báo cáo, hạn ${dmy(i.target.deadline)}`
      : `${i.target.name}: đạt ${pct(i.status.value)}/${pct(i.status.threshold)}, thiếu ${int(i.status.gap)} người, hạn ${dmy(i.target.deadline)}`,
  );
  const to = answersTo(u);
  return `STTTT Tra Vinh nhắc: ${u.name}. ${parts.join('; ')}.${to ? ` Chịu trách nhiệm trước ${to}.` : ''}`;
}
