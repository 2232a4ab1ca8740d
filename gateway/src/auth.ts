import type http from 'node:http';
import Redis from 'ioredis';
import {
  errorBody,
  identityFromAuthorization,
  issueToken,
  readBody,
  redisPrefix,
  redisUrl,
  sendJson,
  Sessions,
  tokenLifetimes,
  type Role,
} from '@baedal/platform';

/*
 * Sessions at the gateway, answered without the shops subgraph (which holds
 * accounts), so its outage signs no one out:
 *   POST /auth/refresh  { refreshToken }  -> { token, refreshToken, expiresIn }
 *   POST /auth/logout   { refreshToken }  ends that session
 *   POST /auth/logout-everywhere (Authorization: Bearer) ends every session of the caller
 * `login` opens a session (shops); platform's sessions.ts keeps them in Redis.
 */

export const AUTH_PATHS = ['/auth/refresh', '/auth/logout', '/auth/logout-everywhere'];

const REFUSED = {
  unknown: 'This refresh token is not known; sign in again',
  reused: 'This refresh token was already used, so its session is ended; sign in again',
  revoked: 'This session was signed out; sign in again',
  account: 'This account is closed or its role changed; sign in again',
} as Record<string, string>;

export function sessionRoutes(): {
  handle(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<void>;
  close(): void;
} {
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
  const sessions = new Sessions(redis, { prefix: redisPrefix(), refreshTtlSeconds: tokenLifetimes().refreshSeconds });
  const unauthenticated = (res: http.ServerResponse, message: string) =>
    sendJson(res, 401, errorBody(message, 'UNAUTHENTICATED'));
  const refreshTokenIn = async (req: http.IncomingMessage): Promise<string | null> => {
    try {
      const token = (JSON.parse(await readBody(req, 4096)) as { refreshToken?: unknown }).refreshToken;
      return typeof token === 'string' && token ? token : null;
    } catch {
      return null;
    }
  };
  return {
    async handle(req, res, pathname) {
      if (req.method !== 'POST') return sendJson(res, 405, errorBody(`${pathname} takes POST`, 'BAD_REQUEST'));
      if (pathname === '/auth/logout-everywhere') {
        let userId: string | null;
        try {
          userId = identityFromAuthorization(req.headers.authorization).userId;
        } catch (error) {
          return unauthenticated(res, (error as Error).message);
        }
        if (!userId) return unauthenticated(res, 'Sign in to sign out everywhere');
        await sessions.closeAll(userId);
        return sendJson(res, 200, { signedOut: true });
      }
      const token = await refreshTokenIn(req);
      if (!token) return sendJson(res, 400, errorBody('The body must be { "refreshToken": "..." }', 'BAD_REQUEST'));
      if (pathname === '/auth/logout') {
        await sessions.close(token);
        return sendJson(res, 200, { signedOut: true });
      }
      const refreshed = await sessions.refresh(token);
      if ('refused' in refreshed) return unauthenticated(res, REFUSED[refreshed.refused]);
      const { accountId, role } = refreshed.session;
      return sendJson(res, 200, {
        token: issueToken({ id: accountId, role: role as Role }),
        refreshToken: refreshed.refreshToken,
        expiresIn: tokenLifetimes().accessSeconds,
      });
    },
    close: () => redis.disconnect(),
  };
}
