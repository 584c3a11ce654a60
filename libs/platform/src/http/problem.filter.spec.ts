import { BadRequestException, HttpException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { problemOf } from './problem.filter';

describe('problemOf: every error as RFC 9457 problem details', () => {
  it('given a validation error with fields, then it lists every field', () => {
    const p = problemOf(
      new BadRequestException({
        detail: 'invalid request: a; b',
        errors: [{ field: 'installed', message: 'installed must not be less than 0' }],
      }),
      '/v1/reports',
    );
    expect(p).toMatchObject({
      status: 400,
      title: 'Bad Request',
      instance: '/v1/reports',
      errors: [{ field: 'installed', message: 'installed must not be less than 0' }],
    });
  });

  it("given Fastify's body error handed over as a string, then the body is named", () => {
    const p = problemOf(new HttpException('Unexpected token } in JSON at position 10', 400));
    expect(p.errors).toEqual([{ field: 'body', message: 'body: Unexpected token } in JSON at position 10' }]);
  });

  it('given a not-found, then the detail is kept', () => {
    expect(problemOf(new NotFoundException({ detail: 'unknown org unit 99' }))).toMatchObject({
      status: 404,
      detail: 'unknown org unit 99',
    });
  });

  it('given an exhausted connection pool, then it is 503 (retry shortly), not 500', () => {
    expect(problemOf(new Error('timeout exceeded when trying to connect'))).toMatchObject({ status: 503, retryAfterSeconds: 1 });
  });

  it("given an exception whose body has its own `status` (Terminus' health report), then the HTTP status stays", () => {
    const p = problemOf(new ServiceUnavailableException({ status: 'error', info: {}, error: { database: { status: 'down' } } }));
    expect(p).toMatchObject({ status: 503, title: 'Service Unavailable', info: {} });
  });

  it('given PostgreSQL unreachable, restarting or refusing connections, then 503 with a retry time', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const shuttingDown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    const wrapped = Object.assign(new Error('query failed'), { driverError: { code: '08006' } });
    for (const err of [refused, shuttingDown, wrapped, new Error('Connection terminated unexpectedly')])
      expect(problemOf(err)).toMatchObject({ status: 503, retryAfterSeconds: 1 });
  });

  it('given a value PostgreSQL refused as data, then 400 (the request was at fault), not 500', () => {
    const outOfRange = Object.assign(new Error('value "99999999999999999999" is out of range for type bigint'), { code: '22003' });
    expect(problemOf(outOfRange)).toMatchObject({ status: 400 });
  });

  it('given anything else, then it is 500 without leaking the message', () => {
    const p = problemOf(new Error('password authentication failed for user x'));
    expect(p).toMatchObject({ status: 500, detail: 'internal error; see the service log' });
  });
});
