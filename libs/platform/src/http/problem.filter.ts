import { ArgumentsHost, Catch, HttpException, HttpStatus, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

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
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Thrown by services for a domain rule with the fields at fault. */
export class ProblemException extends HttpException {
  constructor(status: number, detail: string, errors?: Array<{ field: string; message: string }>, extra?: Record<string, unknown>) {
    super({ detail, errors, ...extra }, status);
  }
}

export function problemOf(err: unknown, instance?: string): ProblemDetails {
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const body = err.getResponse() as string | Record<string, unknown>;
    const p: ProblemDetails = {
      type: 'about:blank',
      title: TITLES[status] ?? HttpStatus[status] ?? 'Error',
      status,
      detail: typeof body === 'string' ? body : String(body.detail ?? body.message ?? err.message),
      instance,
    };
    if (typeof body === 'string' && (status === 400 || status === 413 || status === 415)) {
      // Nest hands Fastify's body errors (bad JSON, empty or too large body, wrong content type) over as
      // HttpException(message, status) with a string body: they are about the body, so name it.
      p.errors = [{ field: 'body', message: `body: ${body}` }];
    }
    if (typeof body === 'object') {
      for (const [k, v] of Object.entries(body)) {
        if (!['statusCode', 'message', 'error', 'detail'].includes(k) && v !== undefined) p[k] = v;
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
    return {
      type: 'about:blank',
      title: TITLES[fe.statusCode] ?? 'Error',
      status: fe.statusCode,
      detail,
      instance,
      errors: [{ field: 'body', message: detail }],
    };
  }
  // Every database connection busy for longer than the pool waits: the service is overloaded, not broken.
  if (/timeout exceeded when trying to connect|too many clients|remaining connection slots/i.test(fe?.message ?? '')) {
    return {
      type: 'about:blank',
      title: TITLES[503],
      status: 503,
      detail: 'the service is busy; retry shortly',
      instance,
      retryAfterSeconds: 1,
    };
  }
  return { type: 'about:blank', title: TITLES[500], status: 500, detail: 'internal error; see the service log', instance };
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly onServerError?: (err: unknown, req: FastifyRequest) => void) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const req = ctx.getRequest<FastifyRequest>();
    const problem = problemOf(exception, req?.url?.split('?')[0]);
    if (problem.status >= 500 && problem.status !== 503) this.onServerError?.(exception, req);
    if (problem.status === 503) void reply.header('retry-after', '1');
    void reply.status(problem.status).header('content-type', 'application/problem+json; charset=utf-8').send(problem);
  }
}
