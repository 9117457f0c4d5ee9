import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { NextFunction, Request, Response } from 'express';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The dashboard's own pages: each answers index.html, and the page routes itself from the address. */
const PAGES = /^\/(?:|recommendations|breakers\/[^/]+)$/;

/**
 * The page may load its own scripts and styles, and talk to this origin only (GraphQL over HTTP
 * and graphql-ws): no other host, no inline script, no framing.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the dashboard built into `dir` (see scripts/build-dashboard.ts): its pages at `/`,
 * `/recommendations` and `/breakers/<name>`, and its content-hashed assets under `/assets/`, cached
 * for good. Without a build, the pages answer 503 saying how to make one, and the API runs as ever.
 */
export function serveDashboard(app: NestExpressApplication, dir: string): void {
  const indexFile = join(dir, 'index.html');
  const index = existsSync(indexFile) ? readFileSync(indexFile) : null;
  if (!index) new Logger('Dashboard').warn(`no dashboard build in ${dir}: run \`npm run build\` to serve it at /`);
  app.disable('x-powered-by');
  app.use(
    '/assets',
    express.static(join(dir, 'assets'), {
      index: false,
      immutable: true,
      maxAge: '365d',
      fallthrough: true,
      setHeaders: (response) => response.setHeader('X-Content-Type-Options', 'nosniff'),
    }),
  );
  app.use((request: Request, response: Response, next: NextFunction) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || !PAGES.test(request.path)) return next();
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    if (!index) {
      response.status(503).type('text/plain').send('The dashboard is not built: run `npm run build`, then restart.\n');
      return;
    }
    response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    response.setHeader('Cache-Control', 'no-cache');
    response.type('html').send(index);
  });
}
