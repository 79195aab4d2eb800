// The console signs in once: POST /v1/session keeps the key in an HttpOnly cookie, and this plugin turns
// the cookie back into `Authorization: Bearer …` before authentication runs, so a key reaches the API by
// one code path whichever way it came, and a revoked key stops the console at its next request.
//
// A cookie rides along with every request the browser sends to this origin, including one a hostile page
// makes it send. SameSite=Strict stops most of that; besides, a request the cookie authenticates that may
// change something (not GET or HEAD) must carry `x-bangnong-console: 1`, a header no form and no simple
// cross-site request can set.

import cookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../errors.js';

export const SESSION_COOKIE = 'bn_session';
export const CONSOLE_HEADER = 'x-bangnong-console';

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** Sets the session cookie: for this browser session only (no Max-Age), never readable by scripts. */
export function startSession(request: FastifyRequest, reply: FastifyReply, key: string): void {
  reply.setCookie(SESSION_COOKIE, key, { httpOnly: true, sameSite: 'strict', path: '/', secure: request.protocol === 'https' });
}

export function endSession(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', path: '/', secure: request.protocol === 'https' });
}

const signingIn = (request: FastifyRequest) => request.method === 'POST' && request.routeOptions.url === '/v1/session';

export default fp(
  async (app) => {
    await app.register(cookie);
    app.addHook('onRequest', async (request) => {
      const key = request.cookies[SESSION_COOKIE];
      // An explicit key wins; signing in checks the key in its body, never the cookie.
      if (!key || request.headers.authorization || signingIn(request)) return;
      if (!SAFE_METHODS.has(request.method) && request.headers[CONSOLE_HEADER] !== '1') {
        throw new HttpError(403, `a request signed in by the console's cookie that changes something must carry the header ${CONSOLE_HEADER}: 1`);
      }
      request.headers.authorization = `Bearer ${key}`;
    });
  },
  { name: 'session' },
);
