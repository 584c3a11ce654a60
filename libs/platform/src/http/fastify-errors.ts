import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problem, PROBLEM_CONTENT_TYPE, ProblemException, sendProblem } from './problem.filter';

/** Longer request targets are refused (414) before routing; Node itself refuses heads past 16 KB (431). */
export const MAX_URL_LENGTH = 8192;

const clip = (s: string, n = 120) => (s.length > n ? `${s.slice(0, n)}…` : s);

/**
 * Errors Fastify's router answers before any hook or handler runs (a path parameter longer than
 * maxParamLength: 414; a malformed %-escape: 400), as problem+json like every other error.
 */
export function frameworkErrors(error: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  const detail = status === 414 ? 'a path segment of the URL is too long' : `the URL is not valid: ${clip(error.message)}`;
  void sendProblem(reply, problem(status, detail, clip(req.url.split('?')[0]), { errors: [{ field: 'url', message: detail }] }));
}

/**
 * Errors of the connection before a request exists (a head too large, a malformed request line, a
 * client too slow): Node would answer with Fastify's plain JSON; the same cases answer problem+json.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const detail =
    status === 408
      ? 'the request took too long to arrive'
      : status === 431
        ? 'the request head (URL and headers) is too large'
        : 'the request is not valid HTTP';
  const body = JSON.stringify(problem(status, detail));
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(err);
}

/** A request target longer than MAX_URL_LENGTH is refused before anything reads it. */
export function refuseLongUrls(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (req, _reply, done) => {
    if (req.url.length > MAX_URL_LENGTH) {
      const detail = `the URL is longer than ${MAX_URL_LENGTH} characters`;
      done(new ProblemException(414, detail, [{ field: 'url', message: detail }]));
    } else done();
  });
}
