// The authenticated actor travels on the request. Route handlers read it through `actorOf`, which fails closed
// (401) if a router forgot to mount requireStaff.
import type { Request } from 'express';
import type { Actor } from '../../shared/roles.ts';
import { unauthorized } from '../errors.ts';

declare module 'express-serve-static-core' {
  interface Request {
    actor?: Actor;
  }
}

export function actorOf(req: Request): Actor {
  if (!req.actor) throw unauthorized();
  return req.actor;
}
