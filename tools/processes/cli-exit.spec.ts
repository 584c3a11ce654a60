import { errorLine, isConnectionFailure } from './cli-exit';

describe('a failure as one line', () => {
  it('given a message over several lines, joins them', () => {
    expect(errorLine(new Error('first\n  second\nthird'))).toBe('first second third');
  });

  it('given a cause with a code the message lacks, adds the code', () => {
    const err = new Error('cannot reach compliance at http://127.0.0.1:3000', {
      cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
    });
    expect(errorLine(err)).toBe('cannot reach compliance at http://127.0.0.1:3000 (ECONNREFUSED)');
  });

  it('given a programming error, names its kind and where it was thrown, not the whole trace', () => {
    let err: unknown;
    try {
      JSON.stringify((undefined as unknown as { x: number }).x);
    } catch (e) {
      err = e;
    }
    expect(errorLine(err)).toMatch(/^TypeError: Cannot read properties of undefined \(reading 'x'\) \(at \S+cli-exit\.spec\.ts:\d+:\d+\)$/);
  });

  it('given something thrown that is no Error, says it', () => {
    expect(errorLine('plain\ntext')).toBe('plain text');
  });

  it('tells a refused or failed connection, however deep its cause, from any other failure', () => {
    const fetchFailed = new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) });
    expect(isConnectionFailure(new Error('cannot reach x', { cause: fetchFailed }))).toBe(true);
    expect(isConnectionFailure(new Error('--workers must be a whole number'))).toBe(false);
  });
});
