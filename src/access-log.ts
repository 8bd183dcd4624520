/**
 * One JSON log line per HTTP request, at info, when its answer has gone out: method, route (the
 * route's pattern, not the raw URL, so query strings and tokens stay out of the logs), status,
 * duration and the client's address. Fastify's own logger stays off; every line comes from ours.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from './log.js';

export function logRequests(app: FastifyInstance, logger: Logger): void {
  const log = logger.child({ component: 'http' });
  app.addHook('onResponse', (request, reply, done) => {
    if (log.isLevelEnabled('info')) {
      log.info(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status: reply.statusCode,
          durationMs: Math.round(reply.elapsedTime * 100) / 100,
          source: request.ip,
        },
        'http request',
      );
    }
    done();
  });
}
