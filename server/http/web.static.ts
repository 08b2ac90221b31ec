// Serves the built staff workbench (web/dist) when it exists: hashed assets with long caching, and index.html
// for any other GET that is not an API or QR-page path, so a reload on a deep link still opens the app.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler, Router } from 'express';

export const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Paths the SPA fallback must never answer: the API, the QR page, assets and the health check. */
const NOT_SPA = /^\/(api|e|assets)(\/|$)|^\/healthz$/;

/** The router, or null when the workbench has not been built (the API still works). */
export function createWebStatic(distDir: string = DEFAULT_WEB_DIST): Router | null {
  const index = path.join(distDir, 'index.html');
  if (!existsSync(index)) return null;
  const router = Router();
  router.use('/assets', express.static(path.join(distDir, 'assets'), { immutable: true, maxAge: '365d' }));
  router.use(express.static(distDir, { index: false, maxAge: 0 }));
  const spa: RequestHandler = (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_SPA.test(req.path)) return next();
    res.set('Cache-Control', 'no-cache');
    res.sendFile(index);
  };
  router.use(spa);
  return router;
}
