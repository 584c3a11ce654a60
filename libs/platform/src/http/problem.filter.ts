import { ArgumentsHost, Catch, HttpException, HttpStatus, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isDataException, isDatabaseUnavailable } from '@app/persistence';

/** RFC 9457 problem details; `errors` lists every invalid field for validation problems. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: Array<{ field: string; message: string }>;
  [extra: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Thrown by services for a domain rule with the fields at fault. */
export class ProblemException extends HttpException {
  constructor(status: number, detail: string, errors?: Array<{ field: string; message: string }>, extra?: Record<string, unknown>) {
    super({ detail, errors, ...extra }, status);
  }
}

/** Members of a problem that an exception's body may not override. */
const RESERVED = ['type', 'title', 'status', 'instance', 'statusCode', 'message', 'error', 'detail'];

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export function problem(status: number, detail: string, instance?: string, extra?: Partial<ProblemDetails>): ProblemDetails {
  return { type: 'about:blank', title: TITLES[status] ?? HttpStatus[status] ?? 'Error', status, detail, instance, ...extra };
}

export function problemOf(err: unknown, instance?: string): ProblemDetails {
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const body = err.getResponse() as string | Record<string, unknown>;
    const p = problem(status, typeof body === 'string' ? body : String(body.detail ?? body.message ?? err.message), instance);
    if (typeof body === 'string' && (status === 400 || status === 413 || status === 415)) {
      // Nest hands Fastify's body errors (bad JSON, empty or too large body, wrong content type) over as
      // HttpException(message, status) with a string body: they are about the body, so name it.
      p.errors = [{ field: 'body', message: `body: ${body}` }];
    }
    if (typeof body === 'object') {
      for (const [k, v] of Object.entries(body)) {
        if (!RESERVED.includes(k) && v !== undefined) p[k] = v;
      }
      if (Array.isArray(body.message) && !p.errors) {
        p.errors = body.message.map((m: string) => ({ field: String(m).split(' ')[0], message: String(m) }));
        p.detail = (body.message as string[]).join('; ');
      }
    }
    return p;
  }
  // Fastify's own errors (body too large, bad JSON, wrong content type) carry a statusCode.
  const fe = err as { statusCode?: number; message?: string; code?: string };
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const detail =
      fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/.test(fe.message ?? '')
        ? `body is not valid JSON: ${fe.message}`
        : String(fe.message);
    return problem(fe.statusCode, detail, instance, { errors: [{ field: 'body', message: detail }] });
  }
  if (isDatabaseUnavailable(err))
    return problem(503, 'the database is unavailable or busy; retry shortly', instance, { retryAfterSeconds: 1 });
  if (isDataException(err))
    return problem(400, 'a value is outside what can be stored (too long, out of range or not valid text)', instance);
  return problem(500, 'internal error; see the service log', instance);
}

/** Sends a problem as RFC 9457 JSON, with Retry-After when it says when to retry. */
export function sendProblem(reply: FastifyReply, p: ProblemDetails): FastifyReply {
  if (typeof p.retryAfterSeconds === 'number') void reply.header('retry-after', String(p.retryAfterSeconds));
  return reply.status(p.status).header('content-type', PROBLEM_CONTENT_TYPE).send(p);
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly onServerError?: (err: unknown, req: FastifyRequest) => void) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const req = ctx.getRequest<FastifyRequest>();
    const p = problemOf(exception, req?.url?.split('?')[0]);
    if ((p.status >= 500 && p.status !== 503) || isDataException(exception)) this.onServerError?.(exception, req);
    void sendProblem(reply, p);
  }
}
