import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
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

  it('given anything else, then it is 500 without leaking the message', () => {
    const p = problemOf(new Error('password authentication failed for user x'));
    expect(p).toMatchObject({ status: 500, detail: 'internal error; see the service log' });
  });
});
