// The dashboard: a static page and its bundled assets (tools/bundle-dashboard.ts writes them to dist/dashboard at
// build time), served by the verifier's own HTTP server at / and /dashboard/. Everything it loads comes from this
// server (the machine may be offline): the Content-Security-Policy says so, and a browser enforces it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** dist/dashboard, from this file's place in dist/src/verifier/http/. */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../../dashboard/', import.meta.url));

const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function registerDashboard(app: FastifyInstance, dir = DEFAULT_DASHBOARD_DIR): void {
  if (!existsSync(join(dir, 'index.html'))) {
    app.get('/', async (_req, reply) => reply.code(503).send({ code: 'dashboard_missing', message: `the dashboard is not built (no ${join(dir, 'index.html')}); run npm run build` }));
    return;
  }
  void app.register(fastifyStatic, {
    root: dir,
    prefix: '/dashboard/',
    index: false,
    setHeaders: (res) => res.setHeader('content-security-policy', CSP),
  });
  app.get('/', async (_req, reply) => reply.header('content-security-policy', CSP).sendFile('index.html', dir, { cacheControl: false }));
}
