import type { ActivityKind, Bloc, Cohort, FollowUpStatus, Metric, QualityRule, QualitySeverity, Tree, UnitType } from '@app/contracts';
import type { Standing } from './target-standing';
import type { Target } from './target-status';

/**
 * What officials read, in Vietnamese first and in English: the names of the campaign's vocabulary. One
 * catalogue for every page, report, export and API answer (the codes stay the API's values; these are
 * the words shown for them).
 */
export const LANGS = ['vi', 'en'] as const;
export type Lang = (typeof LANGS)[number];

type Catalogue<K extends string> = Readonly<Record<Lang, Readonly<Record<K, string>>>>;

export const STANDING_LABELS: Catalogue<Standing> = {
  vi: {
    met: 'Đạt',
    on_track: 'Đúng tiến độ',
    at_risk: 'Có nguy cơ không đạt',
    due_today: 'Đến hạn hôm nay, chưa đạt',
    breached: 'Không đạt (đã quá hạn)',
    no_data: 'Chưa báo cáo',
  },
  en: {
    met: 'Met',
    on_track: 'On track',
    at_risk: 'At risk',
    due_today: 'Due today, not met',
    breached: 'Breached (deadline passed)',
    no_data: 'Not reporting',
  },
};

export const COHORT_LABELS: Catalogue<Cohort> = {
  vi: {
    staff: 'Cán bộ, công chức, viên chức, người lao động',
    students: 'Học sinh, sinh viên',
    youth_members: 'Đoàn viên thanh niên',
    association_members: 'Hội viên các hội, đoàn thể',
    enterprise_workers: 'Công nhân, người lao động doanh nghiệp',
    residents: 'Người dân',
  },
  en: {
    staff: 'Cadres, civil servants, public employees, workers',
    students: 'Pupils and students',
    youth_members: 'Youth-union members',
    association_members: 'Association members',
    enterprise_workers: 'Enterprise workers',
    residents: 'Residents',
  },
};

export const UNIT_TYPE_LABELS: Catalogue<UnitType> = {
  vi: {
    province: 'Tỉnh',
    district: 'Huyện, thị xã, thành phố',
    commune: 'Xã, phường, thị trấn',
    hamlet: 'Ấp, khóm',
    department: 'Sở, ban, ngành',
    mass_org: 'Đoàn thể, hội',
    economic_zone: 'Khu kinh tế',
    industrial_park: 'Khu công nghiệp',
    enterprise: 'Doanh nghiệp',
    transport_hub: 'Bến xe, bến phà',
    telecom: 'Doanh nghiệp viễn thông',
    post_office: 'Bưu điện',
    school: 'Trường học',
    venue: 'Cơ sở kinh doanh dịch vụ',
  },
  en: {
    province: 'Province',
    district: 'District, town or city',
    commune: 'Commune, ward or township',
    hamlet: 'Hamlet',
    department: 'Department, board or sector',
    mass_org: 'Mass organisation or association',
    economic_zone: 'Economic zone',
    industrial_park: 'Industrial park',
    enterprise: 'Enterprise',
    transport_hub: 'Bus station or ferry terminal',
    telecom: 'Telecom operator',
    post_office: 'Post office',
    school: 'School',
    venue: 'Venue',
  },
};

export const BLOC_LABELS: Catalogue<Bloc> = {
  vi: { party: 'Khối Đảng', state: 'Khối Nhà nước', front: 'Khối Mặt trận và các đoàn thể' },
  en: { party: 'Party bloc', state: 'State bloc', front: 'Front and mass organisations bloc' },
};

export const TREE_LABELS: Catalogue<Tree> = {
  vi: { administrative: 'Theo địa bàn hành chính', accountability: 'Theo cơ quan chủ quản' },
  en: { administrative: 'Administrative tree', accountability: 'Accountability tree' },
};

export const METRIC_LABELS: Catalogue<Metric> = {
  vi: {
    install_rate: 'Tỷ lệ cài đặt trên số người có điện thoại thông minh',
    bluetooth_rate: 'Tỷ lệ cài đặt và bật Bluetooth trên số người có điện thoại thông minh',
    resident_rate: 'Tỷ lệ người dân cài đặt trên dân số',
  },
  en: {
    install_rate: 'Installed among smartphone holders',
    bluetooth_rate: 'Installed with Bluetooth on among smartphone holders',
    resident_rate: 'Residents installed among the population',
  },
};

/** The activities the directive orders, as officials name them. */
export const ACTIVITY_LABELS: Catalogue<ActivityKind> = {
  vi: {
    broadcast: 'Phát thanh',
    door_to_door: 'Đến từng hộ gia đình',
    propaganda_team: 'Tổ tuyên truyền',
    venue_outreach: 'Vận động cơ sở kinh doanh',
    hq_visitor_check: 'Kiểm tra khách đến trụ sở',
    family_help: 'Hỗ trợ người thân cài đặt',
  },
  en: {
    broadcast: 'Radio broadcast',
    door_to_door: 'Door to door',
    propaganda_team: 'Propaganda team',
    venue_outreach: 'Venue outreach',
    hq_visitor_check: 'Headquarters visitor check',
    family_help: 'Family help',
  },
};

/** What an activity's counts say, in words: e.g. "3 buổi; đầu buổi 3; cuối buổi 1". */
export const ACTIVITY_COUNT_LABELS: Readonly<Record<Lang, Readonly<Record<string, string>>>> = {
  vi: {
    sessionsAired: 'buổi phát',
    sessionsWithStartAnnouncement: 'có thông báo đầu buổi',
    sessionsWithEndAnnouncement: 'có thông báo cuối buổi',
    householdsVisited: 'hộ đã đến',
    householdsReminded: 'hộ được nhắc',
    teamsFormed: 'tổ',
    members: 'thành viên',
    venuesMobilised: 'cơ sở được vận động',
    customersGuided: 'khách được hướng dẫn',
    visitors: 'khách',
    alreadyInstalled: 'đã cài',
    installedOnSite: 'cài tại chỗ',
    turnedAway: 'từ chối',
    installsHelped: 'lượt cài được hỗ trợ',
  },
  en: {
    sessionsAired: 'sessions aired',
    sessionsWithStartAnnouncement: 'with start announcement',
    sessionsWithEndAnnouncement: 'with end announcement',
    householdsVisited: 'households visited',
    householdsReminded: 'households reminded',
    teamsFormed: 'teams',
    members: 'members',
    venuesMobilised: 'venues mobilised',
    customersGuided: 'customers guided',
    visitors: 'visitors',
    alreadyInstalled: 'already installed',
    installedOnSite: 'installed on site',
    turnedAway: 'turned away',
    installsHelped: 'installs helped',
  },
};

/** A target's name in the reader's language. */
export function targetName(t: Pick<Target, 'nameVi' | 'nameEn'>, lang: Lang): string {
  return lang === 'en' ? t.nameEn : t.nameVi;
}

/**
 * The language of an `Accept-Language` header: English when it ranks English above Vietnamese, else
 * Vietnamese (officials read Vietnamese first). Two languages only, so a weighted scan is all it takes.
 */
export function langOf(acceptLanguage: string | string[] | undefined): Lang {
  const header = Array.isArray(acceptLanguage) ? acceptLanguage.join(',') : (acceptLanguage ?? '');
  let best: { lang: Lang; q: number } | null = null;
  for (const part of header.split(',')) {
    const [tag, ...params] = part.trim().toLowerCase().split(';');
    const lang: Lang | null = tag === 'en' || tag.startsWith('en-') ? 'en' : tag === 'vi' || tag.startsWith('vi-') ? 'vi' : null;
    if (!lang) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { lang, q };
  }
  return best?.lang ?? 'vi';
}

// --- Data quality (issue 20): rule names, severities, follow-up statuses and the message of a violation ---

export const QUALITY_RULE_LABELS: Catalogue<QualityRule> = {
  vi: {
    rate_drop: 'Tỷ lệ cài đặt giảm giữa hai lần báo cáo',
    outlier_jump: 'Tăng đột biến bất thường',
    holders_over_headcount: 'Số người có điện thoại thông minh vượt số người đã biết',
    stale_copy: 'Báo cáo lặp lại y nguyên nhiều ngày',
    over_denominator: 'Báo cáo nhiều người hơn số đăng ký',
    roster_mismatch: 'Không khớp với danh sách lao động',
  },
  en: {
    rate_drop: 'Install rate fell between two reports',
    outlier_jump: 'Unusual jump',
    holders_over_headcount: 'Smartphone holders above the known headcount',
    stale_copy: 'Report copied unchanged for days',
    over_denominator: 'More people reported than registered',
    roster_mismatch: 'Does not match the worker roster',
  },
};

export const QUALITY_SEVERITY_LABELS: Catalogue<QualitySeverity> = {
  vi: { info: 'Lưu ý', warning: 'Cảnh báo', error: 'Sai số liệu' },
  en: { info: 'Note', warning: 'Warning', error: 'Error' },
};

export const FOLLOW_UP_STATUS_LABELS: Catalogue<FollowUpStatus> = {
  vi: { open: 'Chưa xử lý', marked: 'Đang theo dõi', resolved: 'Đã xử lý', cleared: 'Đã được báo cáo thay thế' },
  en: { open: 'Open', marked: 'Marked for follow-up', resolved: 'Resolved', cleared: 'Cleared by a later revision' },
};

/** What a violation measured: the value, the limit, and the counts behind them when there are some. */
export interface QualityFacts {
  readonly value: number;
  readonly limit: number;
  readonly reported?: number | null;
  readonly expected?: number | null;
  /** Which count a roster comparison is about. */
  readonly measure?: 'installed' | 'bluetoothOn';
}

const pct = (x: number, lang: Lang) => `${(x * 100).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 1 })}%`;
const num = (x: number | null | undefined, lang: Lang) =>
  x === null || x === undefined ? '–' : x.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 2 });

/** One sentence saying what is wrong with a report, in the reader's language. */
export function qualityMessage(rule: QualityRule, f: QualityFacts, lang: Lang): string {
  const vi = lang === 'vi';
  switch (rule) {
    case 'rate_drop':
      return vi
        ? `Tỷ lệ cài đặt giảm ${pct(f.value, lang)} so với lần báo cáo trước (ngưỡng ${pct(f.limit, lang)}).`
        : `The install rate fell by ${pct(f.value, lang)} since the previous report (limit ${pct(f.limit, lang)}).`;
    case 'outlier_jump':
      return vi
        ? `Mức tăng có điểm z hiệu chỉnh ${num(f.value, lang)}, vượt ngưỡng ${num(f.limit, lang)} so với lịch sử của đơn vị và các đơn vị cùng cấp.`
        : `The increase has a modified z-score of ${num(f.value, lang)}, above ${num(f.limit, lang)} against the unit's own history and its siblings'.`;
    case 'holders_over_headcount':
      return vi
        ? `Báo cáo ${num(f.reported, lang)} người có điện thoại thông minh, vượt số người đã biết ${num(f.expected, lang)} quá ${pct(f.limit, lang)}.`
        : `${num(f.reported, lang)} smartphone holders reported, more than ${pct(f.limit, lang)} over the known headcount of ${num(f.expected, lang)}.`;
    case 'stale_copy':
      return vi
        ? `Số liệu giống hệt lần báo cáo trước trong ${num(f.value, lang)} ngày (ngưỡng ${num(f.limit, lang)} ngày).`
        : `The figures are a copy of the previous report for ${num(f.value, lang)} days (limit ${num(f.limit, lang)} days).`;
    case 'over_denominator':
      return vi
        ? `Báo cáo ${num(f.reported, lang)} người, nhiều hơn số đăng ký ${num(f.expected, lang)}.`
        : `${num(f.reported, lang)} people reported, more than the ${num(f.expected, lang)} registered.`;
    case 'roster_mismatch': {
      const what = f.measure === 'bluetoothOn' ? (vi ? 'bật Bluetooth' : 'with Bluetooth on') : vi ? 'đã cài đặt' : 'installed';
      return vi
        ? `Báo cáo ${num(f.reported, lang)} người ${what}, danh sách lao động cùng ngày có ${num(f.expected, lang)} (chênh ${num(f.value, lang)}, ngưỡng ${num(f.limit, lang)}).`
        : `${num(f.reported, lang)} ${what} reported, the roster for the same day has ${num(f.expected, lang)} (difference ${num(f.value, lang)}, limit ${num(f.limit, lang)}).`;
    }
  }
}
