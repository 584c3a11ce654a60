import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DATA_VALUE_SETS_MAX_BYTES } from './data-value-sets-reader';

/** XML content types the ADX route takes (ADX's own, and the generic ones some tools send). */
export const ADX_CONTENT_TYPES = ['application/adx+xml', 'application/xml', 'text/xml'];
export const ADX_ROUTE = '/v1/reports/adx';
export const DATA_VALUE_SETS_ROUTE = '/v1/reports/data-value-sets';

const isAdxRoute = (req: FastifyRequest): boolean => req.method === 'POST' && req.url.split('?')[0] === ADX_ROUTE;

/**
 * Body parsing of intake's exchange routes, on intake's own Fastify instance:
 * - ADX: the raw request stream is handed to the route, which reads it with a streaming XML parser and its own
 *   byte limit (the platform's 5 MB body limit does not apply); XML on any other route is refused (415).
 * - dataValueSets: Fastify's own JSON parser (prototype-poisoning checks included), with a body limit of its
 *   own (DATA_VALUE_SETS_MAX_BYTES, 413 beyond): a set of a full batch's reports, four data values each, in
 *   DHIS2's verbose form (storedBy, created, lastUpdated, comment per value) stays well below it, and the
 *   reports are held in memory for their one transaction anyway.
 */
export function configureIntakeFastify(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(ADX_CONTENT_TYPES, (req, payload, done) => {
    if (isAdxRoute(req)) return done(null, payload);
    done(
      Object.assign(new Error(`unsupported content type ${req.headers['content-type'] ?? ''}: send application/json`), { statusCode: 415 }),
    );
  });
  fastify.addHook('onRoute', (route) => {
    if (route.url === DATA_VALUE_SETS_ROUTE && route.method === 'POST') route.bodyLimit = DATA_VALUE_SETS_MAX_BYTES;
  });
}
