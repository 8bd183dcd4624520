/**
 * The dashboard on the HTTP port:
 *
 *   GET /                      the page, for a browser (Accept: text/html); the snapshot as JSON otherwise
 *   GET /dashboard/snapshot    the snapshot as JSON (with the whole hash-rate history)
 *   GET /dashboard/events      server-sent events: the whole snapshot at once, then one with the latest
 *                              point of the history every second; a viewer that leaves more than
 *                              `server.max_buffered_bytes` unread is dropped
 *   GET /dashboard/app.js, app.css, uplot.js, uplot.css   the page's code (uPlot from its npm package)
 *
 * WebSocket upgrades at / never reach these routes: they go to the Nostr door. With
 * `dashboard.token` set, every route but the static files asks for the token: `?token=` once (a
 * cookie keeps it, and the page reloads without it in the address), or `Authorization: Bearer`.
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Gauge } from 'prom-client';
import type { Config } from '../config.js';
import { ERRORS } from '../errors.js';
import type { Logger } from '../log.js';
import { boundedWriter, socketPeer } from '../net/writer.js';
import { packagePath } from '../paths.js';
import { Dashboard, SAMPLE_INTERVAL_MS, type DashboardSources } from './snapshot.js';

const LOOPBACK = /^(127\.|::1$|localhost$)/;

export const DASHBOARD_COOKIE = 'powerplant_dashboard';

const HTML = 'text/html; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** The page's files, read once: they ship in the package (web/dashboard/, and uPlot's own dist/). */
function staticFiles(): Record<string, { readonly body: Buffer; readonly type: string }> {
  const require = createRequire(import.meta.url);
  const file = (path: string, type: string) => ({ body: readFileSync(path), type });
  return {
    '/dashboard/app.js': file(packagePath('web', 'dashboard', 'app.js'), JS),
    '/dashboard/app.css': file(packagePath('web', 'dashboard', 'app.css'), CSS),
    '/dashboard/uplot.js': file(require.resolve('uplot/dist/uPlot.iife.min.js'), JS),
    '/dashboard/uplot.css': file(require.resolve('uplot/dist/uPlot.min.css'), CSS),
  };
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** The token a request carries: Authorization: Bearer, the cookie, or ?token=. */
function offeredTokens(request: FastifyRequest): string[] {
  const offered: string[] = [];
  const bearer = /^Bearer +(.+)$/i.exec(request.headers.authorization ?? '');
  if (bearer?.[1] !== undefined) offered.push(bearer[1]);
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === DASHBOARD_COOKIE) offered.push(decodeURIComponent(value.join('=')));
  }
  const query = (request.query as Record<string, unknown> | undefined)?.token;
  if (typeof query === 'string') offered.push(query);
  return offered;
}

const wantsHtml = (request: FastifyRequest): boolean => /\btext\/html\b/.test(request.headers.accept ?? '');

/**
 * Serve the dashboard on `app` until it closes; `config.server.host` is where the port listens (a
 * warning when it is public and open).
 */
export function registerDashboard(app: FastifyInstance, sources: DashboardSources, config: Pick<Config, 'dashboard' | 'server'>, logger: Logger): void {
  const log = logger.child({ component: 'dashboard' });
  const settings = config.dashboard;
  const { host } = config.server;
  if (settings.token === '' && !LOOPBACK.test(host)) {
    log.warn({ host }, 'the dashboard shows worker names and addresses to anyone who reaches this port: set dashboard.token');
  }
  const dashboard = new Dashboard(sources);
  const files = staticFiles();
  const page = readFileSync(packagePath('web', 'dashboard', 'index.html'));
  const expected = settings.token === '' ? undefined : digest(settings.token);
  const authorized = (request: FastifyRequest): boolean =>
    expected === undefined || offeredTokens(request).some((token) => timingSafeEqual(digest(token), expected));
  const refuse = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    reply.code(ERRORS.PP_ERR_TOKEN_REQUIRED.http);
    if (wantsHtml(request)) return reply.type(HTML).send('<!doctype html><title>Powerplant</title><p>This dashboard needs its token: open <code>/?token=…</code>.</p>');
    return reply.header('www-authenticate', 'Bearer').send({ error: 'the dashboard needs its token (Authorization: Bearer or ?token=)' });
  };

  app.get('/', async (request, reply) => {
    if (!authorized(request)) return refuse(request, reply);
    const query = request.query as Record<string, unknown>;
    if (typeof query.token === 'string') {
      // Keep the token in a cookie and out of the address bar and the browser's history.
      const secure = request.protocol === 'https' ? '; Secure' : '';
      reply.header('set-cookie', `${DASHBOARD_COOKIE}=${encodeURIComponent(query.token)}; Path=/; HttpOnly; SameSite=Strict${secure}`);
      return reply.redirect('/', 303);
    }
    if (!wantsHtml(request)) return dashboard.snapshot();
    return reply.type(HTML).header('cache-control', 'no-store').send(page);
  });

  app.get('/dashboard/snapshot', async (request, reply) => {
    if (!authorized(request)) return refuse(request, reply);
    reply.header('cache-control', 'no-store');
    return dashboard.snapshot();
  });

  for (const [route, file] of Object.entries(files)) {
    app.get(route, async (_request, reply) => reply.type(file.type).header('cache-control', 'no-cache').send(file.body));
  }

  // One snapshot a second for every open dashboard, computed once; each viewer's writer drops it
  // when it stops reading, so a stalled browser never holds the server's memory.
  const viewers = new Map<ServerResponse, (text: string) => void>();
  let ticker: NodeJS.Timeout | undefined;
  let joining = 0;
  const event = (snapshot: unknown): string => `data: ${JSON.stringify(snapshot)}\n\n`;
  const tick = async (): Promise<void> => {
    const text = event(await dashboard.snapshot(false));
    for (const write of viewers.values()) write(text);
  };
  new Gauge({
    name: 'powerplant_dashboard_viewers',
    help: 'Dashboard event streams open',
    registers: [sources.metrics.registry],
    collect() {
      this.set(viewers.size);
    },
  });
  const leave = (viewer: ServerResponse): void => {
    viewers.delete(viewer);
    if (viewers.size === 0) {
      clearInterval(ticker);
      ticker = undefined;
    }
  };

  app.get('/dashboard/events', async (request, reply) => {
    if (!authorized(request)) return refuse(request, reply);
    if (viewers.size + joining >= settings.max_viewers) {
      return reply.code(ERRORS.PP_ERR_TOO_MANY_CONNECTIONS.http).send({ error: `too many dashboards open (limit ${settings.max_viewers})` });
    }
    // The place is held while the first snapshot is read, so streams asking together cannot overshoot.
    joining++;
    const viewer = reply.raw;
    // Watched before the first await: a viewer gone while its snapshot is read must not be added after.
    let gone = request.raw.destroyed;
    request.raw.once('close', () => {
      gone = true;
      leave(viewer);
    });
    const first = await dashboard.snapshot(true).then(event).finally(() => joining--);
    reply.hijack();
    if (gone) return;
    viewer.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    const write = boundedWriter(socketPeer(viewer), config.server.max_buffered_bytes, () => {
      sources.metrics.limitsHit.inc({ door: 'dashboard', limit: 'write_buffer' });
      log.warn('dropping a dashboard that does not read its events');
    });
    write(`retry: 2000\n\n${first}`);
    viewers.set(viewer, write);
    ticker ??= setInterval(() => {
      tick().catch((error: unknown) => log.error({ err: error }, 'dashboard snapshot failed'));
    }, SAMPLE_INTERVAL_MS);
  });

  // The sampler stops and the event streams end when the port closes.
  app.addHook('preClose', async () => {
    dashboard.close();
    clearInterval(ticker);
    for (const viewer of viewers.keys()) viewer.end();
    viewers.clear();
  });
}
