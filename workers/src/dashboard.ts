import type http from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Queue, type ConnectionOptions, type Job } from 'bullmq';
import express, { type NextFunction, type Request, type Response } from 'express';
import { replayDeadLetter } from '@baedal/events';
import { identityFromAuthorization, isProduction, requireRole, type Logger } from '@baedal/platform';
import { signInPage, signInAsAdmin } from './dashboardSignIn';

/*
 * The queue dashboard (Bull Board) at /queues on the workers' port: every
 * consumer's queue and the domains' job queues (coupon claims), with their
 * jobs by state and the failed ones (dead letters). Admins only: a browser
 * signs in with an admin's email and password (through the gateway's login)
 * and holds the token in an HttpOnly, SameSite=Strict cookie; a tool may send
 * the token as a Bearer header instead. A change sent with the cookie must
 * come from the dashboard's own origin (its Origin header), so no other site
 * can make a signed-in admin's browser act. Retrying a dead letter takes the
 * same path as `npm run events -- dlq replay` (replayDeadLetter); removing or
 * editing a job, cleaning or emptying a queue is refused, since a job is an event.
 */

export const DASHBOARD_PATH = '/queues';
const COOKIE = 'baedal_queues_token';

/** A queue as the dashboard may act on it: replays through the dead-letter path, never deletes. */
class EventQueueAdapter extends BullMQAdapter {
  constructor(queue: Queue) {
    super(queue, { allowRetries: true });
  }
  override async getJob(id: string) {
    const job = await super.getJob(id);
    return job && keptJob(job);
  }
  override async getJobs(...args: Parameters<BullMQAdapter['getJobs']>) {
    return (await super.getJobs(...args)).map(keptJob);
  }
  override clean(): Promise<void> {
    return refused();
  }
  override empty(): Promise<void> {
    return refused();
  }
  override obliterate(): Promise<void> {
    return refused();
  }
  override addJob(): never {
    throw new Error('Jobs are added by the outbox relay, not by hand');
  }
}

const refused = () => Promise.reject(new Error('Baedal keeps every job: replay a dead letter instead of deleting it'));

/** A job whose retry is the dead-letter replay, and whose removal or new data is refused: it is an event. */
export function keptJob(job: Job): Job {
  return new Proxy(job, {
    get(target, property) {
      if (property === 'retry')
        return async () => {
          if (!(await replayDeadLetter(target))) throw new Error('Only a failed job (a dead letter) is replayed');
        };
      if (property === 'remove' || property === 'updateData') return refused;
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const cookieOf = (req: Request) =>
  (req.headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim().split('='))
    .find(([name]) => name === COOKIE)?.[1];

/** Whether a request that changes something comes from the dashboard's own page. */
function sameOrigin(req: Request): boolean {
  const origin = req.headers.origin;
  if (origin) return origin === `${req.protocol}://${req.headers.host}`;
  return req.headers['sec-fetch-site'] === 'same-origin';
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

// The pages load nothing from elsewhere (Bull Board's page asks Google for a font: the browser is told not to).
const POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

function admins(req: Request, res: Response, next: NextFunction): void {
  const cookie = cookieOf(req);
  const bearer = req.headers.authorization;
  try {
    requireRole(identityFromAuthorization(bearer ?? (cookie ? `Bearer ${cookie}` : undefined)), 'ADMIN');
  } catch {
    if (req.method === 'GET' && !bearer && (req.headers.accept ?? '').includes('text/html'))
      return res.redirect(`${DASHBOARD_PATH}/sign-in`);
    res.status(401).json({ error: 'Sign in as an admin' });
    return;
  }
  if (!bearer && !SAFE.has(req.method) && !sameOrigin(req)) {
    res.status(403).json({ error: 'A change to the queues must come from the dashboard itself' });
    return;
  }
  next();
}

/** Bull Board's page, without the font it would fetch from Google: the dashboard works offline and tells no one. */
function withoutOutsideFonts(_req: Request, res: Response, next: NextFunction): void {
  const render = res.render.bind(res) as (
    view: string,
    options: object,
    done: (error: Error, html: string) => void,
  ) => void;
  res.render = ((view: string, options: object) =>
    render(view, options, (error, html) =>
      error ? next(error) : res.send(html.replace(/<link[^>]+fonts\.googleapis\.com[^>]*>/g, '')),
    )) as Response['render'];
  next();
}

export interface QueueDashboard {
  handle(req: http.IncomingMessage, res: http.ServerResponse): void;
  close(): Promise<void>;
}

/** The dashboard over the queues `names`, signing admins in through the gateway at GATEWAY_URL. */
export function queueDashboard(
  names: string[],
  connection: ConnectionOptions,
  prefix: string,
  log: Logger,
): QueueDashboard {
  const queues = names.map((name) => new Queue(name, { connection, prefix }));
  const board = new ExpressAdapter().setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: queues.map((q) => new EventQueueAdapter(q)),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'Baedal queues' } },
  });
  const secure = isProduction();
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.setHeader('content-security-policy', POLICY);
    res.setHeader('x-content-type-options', 'nosniff');
    next();
  });
  app.get(`${DASHBOARD_PATH}/sign-in`, (_req, res) => res.type('html').send(signInPage()));
  app.post(`${DASHBOARD_PATH}/sign-in`, express.urlencoded({ extended: false, limit: '4kb' }), (req, res) => {
    if (!sameOrigin(req)) return void res.status(403).type('html').send(signInPage('Sign in from this page.'));
    const { email, password } = req.body as { email?: string; password?: string };
    signInAsAdmin(String(email ?? ''), String(password ?? '')).then(
      ({ token, maxAgeSeconds }) => {
        const flags = `HttpOnly; SameSite=Strict; Path=${DASHBOARD_PATH}; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
        res.setHeader('set-cookie', `${COOKIE}=${token}; ${flags}`);
        res.redirect(303, DASHBOARD_PATH);
      },
      (error: Error) => {
        log.info({ reason: error.message }, 'queue dashboard sign-in refused');
        res.status(401).type('html').send(signInPage(error.message));
      },
    );
  });
  app.post(`${DASHBOARD_PATH}/sign-out`, (req, res) => {
    if (!sameOrigin(req)) return void res.status(403).end();
    res.setHeader('set-cookie', `${COOKIE}=; HttpOnly; SameSite=Strict; Path=${DASHBOARD_PATH}; Max-Age=0`);
    res.redirect(303, `${DASHBOARD_PATH}/sign-in`);
  });
  app.use(DASHBOARD_PATH, admins, withoutOutsideFonts, board.getRouter() as express.Router);
  return {
    handle: (req, res) => void app(req as Request, res as Response),
    close: () => Promise.all(queues.map((q) => q.close())).then(() => undefined),
  };
}
