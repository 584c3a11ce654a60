import { FOLLOW_UP_STATUSES, QUALITY_RULES, QUALITY_SEVERITIES } from '@app/contracts';
import { FOLLOW_UP_STATUS_LABELS, LANGS, QUALITY_RULE_LABELS, QUALITY_SEVERITY_LABELS, qualityMessage } from './labels';

describe('data-quality words', () => {
  it('name every rule, severity and status in Vietnamese and English', () => {
    for (const lang of LANGS) {
      for (const r of QUALITY_RULES) expect([lang, r, QUALITY_RULE_LABELS[lang][r]?.length > 0]).toEqual([lang, r, true]);
      for (const s of QUALITY_SEVERITIES) expect([lang, s, QUALITY_SEVERITY_LABELS[lang][s]?.length > 0]).toEqual([lang, s, true]);
      for (const s of FOLLOW_UP_STATUSES) expect([lang, s, FOLLOW_UP_STATUS_LABELS[lang][s]?.length > 0]).toEqual([lang, s, true]);
    }
    expect(QUALITY_RULE_LABELS.vi.roster_mismatch).toBe('Không khớp với danh sách lao động');
  });

  it('say what is wrong with the numbers in each language', () => {
    const facts = { value: 40, limit: 6, reported: 100, expected: 60, measure: 'installed' as const };
    expect(qualityMessage('roster_mismatch', facts, 'vi')).toBe(
      'Báo cáo 100 người đã cài đặt, danh sách lao động cùng ngày có 60 (chênh 40, ngưỡng 6).',
    );
    expect(qualityMessage('roster_mismatch', facts, 'en')).toBe(
      '100 installed reported, the roster for the same day has 60 (difference 40, limit 6).',
    );
    expect(qualityMessage('rate_drop', { value: 0.025, limit: 0.01 }, 'vi')).toBe(
      'Tỷ lệ cài đặt giảm 2,5% so với lần báo cáo trước (ngưỡng 1%).',
    );
    expect(qualityMessage('outlier_jump', { value: 12.345, limit: 3.5 }, 'en')).toContain('modified z-score of 12.35, above 3.5');
    for (const rule of QUALITY_RULES)
      for (const lang of LANGS)
        expect(qualityMessage(rule, { value: 1, limit: 1, reported: 2, expected: 1 }, lang)).not.toMatch(/undefined|NaN/);
  });
});
