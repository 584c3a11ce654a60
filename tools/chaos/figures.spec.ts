import { exitCodeOf, figuresLine, type ChaosFigures } from './chaos';

const clean: ChaosFigures = {
  accepted: 812,
  reports: 2400,
  refused: 90,
  unanswered: 0,
  faults: { 'replica-kill': 14, 'nats-kill': 1, 'nats-pause': 1, 'pg-restart': 1, 'net-cut': 1 },
  lost: 0,
  doubled: 0,
  refusedStored: 0,
  differing: 0,
  deadLetters: 0,
  findings: [],
};

describe('the chaos figures line and exit code', () => {
  it('says everything on one line', () => {
    const line = figuresLine(clean);
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toContain('requests accepted 812 (2400 reports; refused 90, unanswered 0)');
    expect(line).toContain('faults injected 18 (replica-kill 14, nats-kill 1, nats-pause 1, pg-restart 1, net-cut 1)');
    expect(line).toContain('reports lost 0; reports double-counted 0; read-model rows differing 0');
  });

  it('exits 0 only when nothing is lost, doubled, different, stored from a refusal or dead-lettered', () => {
    expect(exitCodeOf(clean)).toBe(0);
    for (const bad of [
      { lost: 1 },
      { doubled: 2 },
      { differing: 3 },
      { refusedStored: 1 },
      { deadLetters: 1 },
      { differing: null },
      { deadLetters: null },
    ])
      expect(exitCodeOf({ ...clean, ...bad })).toBe(1);
  });
});
