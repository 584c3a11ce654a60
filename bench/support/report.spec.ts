import { bounds, findings, judge, markdownTable, NoteOnce, verdicts, type Row } from './report';

const row = (measure: string, extra: Partial<Row>): Row => ({ section: 's', measure, value: 1, unit: 'x', ...extra });

describe('bench report', () => {
  it('judges a figure against its target: met, missed within 1.5×, missed by more', () => {
    const atLeast = { op: '≥', value: 20_000, text: '≥ 20,000' } as const;
    expect(judge(atLeast, 20_000)).toEqual({ target: '≥ 20,000', met: true, within: null });
    expect(judge(atLeast, 13_334)).toEqual({ target: '≥ 20,000', met: false, within: true });
    expect(judge(atLeast, 13_333)).toEqual({ target: '≥ 20,000', met: false, within: false });
    const atMost = { op: '≤', value: 50, text: 'p99 ≤ 50 ms' } as const;
    expect(judge(atMost, 50)).toMatchObject({ met: true });
    expect(judge(atMost, 75)).toMatchObject({ met: false, within: true });
    expect(judge(atMost, 75.1)).toMatchObject({ met: false, within: false });
    expect(judge(atMost, Number.NaN)).toEqual({ target: 'p99 ≤ 50 ms', met: null, within: null });
  });

  it('says in the table and the verdict which targets were met, missed within 1.5× and missed by more', () => {
    const rows = [
      row('a', { ...judge({ op: '≥', value: 10, text: '≥ 10' }, 12) }),
      row('b', { ...judge({ op: '≥', value: 10, text: '≥ 10' }, 8), note: 'why b' }),
      row('c', { ...judge({ op: '≥', value: 10, text: '≥ 10' }, 2), note: 'why c' }),
      row('d', { detail: 'not judged' }),
    ];
    const table = markdownTable(rows);
    expect(table).toContain('| ≥ 10 (met) |');
    expect(table).toContain('| ≥ 10 (missed, within 1.5×) |');
    expect(table).toContain('| ≥ 10 (missed) |');
    expect(verdicts(rows)).toEqual([
      '- 3 figures judged against a target: 1 met, 1 missed within 1.5× (each with its profiled cause named below), 1 missed by more.',
      '- Within 1.5×: s / b (≥ 10).',
      '- Missed by more than 1.5×: s / c (≥ 10).',
    ]);
    expect(verdicts([row('e', { ...judge({ op: '≤', value: 1, text: '≤ 1' }, 1.2) })])[0]).toContain(
      '1 of them with no profiled cause named',
    );
  });

  it('tells a note once across the missed targets and the bounds, then points to the row that told it', () => {
    const shared = 'the CPU a report costs';
    const rows = [
      row('sustained', { ...judge({ op: '≥', value: 10, text: '≥ 10' }, 1), note: shared }),
      row('backlog', { note: shared }),
      row('freshness', { ...judge({ op: '≤', value: 1, text: '≤ 1' }, 9), note: 'a queue' }),
    ];
    const told = new NoteOnce();
    const missed = findings(rows, told);
    const listed = bounds(rows, told);
    expect(missed[0]).toContain(shared);
    expect(missed[1]).toContain('a queue');
    expect(listed).toEqual([
      '- s / sustained: told under “Targets missed” above',
      '- s / backlog: as for “s / sustained” above',
      '- s / freshness: told under “Targets missed” above',
    ]);
    // Alone, the bounds tell each note once.
    expect(bounds(rows)).toEqual(['- s / sustained: ' + shared, '- s / backlog: as for “s / sustained” above', '- s / freshness: a queue']);
  });
});
