import { reminderItems, type ReminderStatus, type ReminderTarget } from './reminder.rules';

const T100: ReminderTarget = { targetId: 'T100', name: 'Hội viên 100%', deadline: '2020-08-30', threshold: 1 };
const T50: ReminderTarget = { targetId: 'T50', name: 'Người dân 50%', deadline: '2020-09-15', threshold: 0.5 };
const st = (unitCode: string, targetId: string, status: string, gap: number, reporting: boolean | null = true): ReminderStatus => ({
  targetId,
  unitCode,
  status,
  value: 0.9,
  threshold: 1,
  gap,
  reporting,
});

describe('who is reminded of what', () => {
  const statuses = [
    st('SHORT', 'T100', 'at_risk', 120),
    st('MET', 'T100', 'met', 0),
    st('SILENT', 'T100', 'no_data', 0, false),
    st('ONTRACK', 'T50', 'on_track', 900),
  ];

  it('given a day three days before a deadline in the list, then the short and the silent units are reminded, the met one not', () => {
    const r = reminderItems('2020-08-27', [T100, T50], statuses, [3, 1, 0]);
    expect([...r.keys()].sort()).toEqual(['SHORT', 'SILENT']);
    expect(r.get('SHORT')![0]).toMatchObject({ reason: 'short', daysLeft: 3 });
    expect(r.get('SILENT')![0]).toMatchObject({ reason: 'silent', daysLeft: 3 });
  });

  it('given a day not in the list, then only silent units are reminded', () => {
    expect([...reminderItems('2020-08-28', [T100, T50], statuses, [3, 1, 0]).keys()]).toEqual(['SILENT']);
  });

  it('given the deadline day, then a short unit is reminded; the day after, nobody is', () => {
    expect([...reminderItems('2020-08-30', [T100], statuses, [3, 1, 0]).keys()].sort()).toEqual(['SHORT', 'SILENT']);
    expect(reminderItems('2020-08-31', [T100], statuses, [3, 1, 0]).size).toBe(0);
  });

  it('given a status of a target the notifier does not know, then it is ignored', () => {
    expect(reminderItems('2020-08-27', [], statuses, [3]).size).toBe(0);
  });
});
