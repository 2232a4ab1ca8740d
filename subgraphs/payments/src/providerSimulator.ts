import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { createLogger, listen, port, refuseUnfitSettings, sendJson, stopOnSignals } from '@baedal/platform';
import { simulatorConfig } from './config';

/*
 * A payment provider simulator: a local HTTP service standing in for a card
 * network. Authorizations and refunds are idempotent by key, as real
 * providers' are. Latency, error rate and outage are settable at start
 * (PROVIDER_LATENCY_MS, PROVIDER_ERROR_RATE, PROVIDER_OUTAGE) and at run time
 * (POST /control), so tests and the benchmark can make it slow or broken.
 * Amounts above 500,000 won are declined ("limit exceeded").
 */

export const DECLINE_ABOVE_WON = 500_000;

interface Authorization {
  key: string;
  transactionId: string;
  orderId: string;
  amount: number;
  status: 'APPROVED' | 'DECLINED';
  reason: string | null;
  refunded: boolean;
}

interface Control {
  latencyMs: number;
  /** 0 to 1: the share of requests answered 500 before anything is recorded. */
  errorRate: number;
  /** Every request answered 503. */
  outage: boolean;
  /** Wait this long after recording an authorization before answering (a crash window). */
  answerDelayMs: number;
}

function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      try {
        resolve(raw ? (JSON.parse(raw) as Record<string, unknown>) : {});
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createProviderSimulator(name: string) {
  const control: Control = {
    latencyMs: simulatorConfig().PROVIDER_LATENCY_MS,
    errorRate: simulatorConfig().PROVIDER_ERROR_RATE,
    outage: simulatorConfig().PROVIDER_OUTAGE,
    answerDelayMs: 0,
  };
  const authorizations = new Map<string, Authorization>();
  const refunds = new Map<string, { refundId: string; transactionId: string; amount: number }>();

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok', provider: name });
      if (url.pathname === '/control') {
        if (req.method === 'POST') Object.assign(control, await readBody(req));
        return sendJson(res, 200, control);
      }
      if (url.pathname === '/stats') {
        const list = [...authorizations.values()];
        return sendJson(res, 200, { provider: name, authorizations: list, refunds: [...refunds.values()] });
      }
      if (control.outage) return sendJson(res, 503, { error: `${name} is down` });
      if (control.latencyMs) await sleep(control.latencyMs);
      if (control.errorRate && Math.random() < control.errorRate)
        return sendJson(res, 500, { error: `${name} failed` });

      if (req.method === 'POST' && url.pathname === '/authorizations') {
        const body = await readBody(req);
        const key = typeof body.key === 'string' ? body.key : '';
        const amount = Number(body.amount);
        if (!key || !Number.isInteger(amount) || amount < 0)
          return sendJson(res, 400, { error: 'key and a whole amount are required' });
        let authorization = authorizations.get(key);
        if (!authorization) {
          const declined = amount > DECLINE_ABOVE_WON;
          authorization = {
            key,
            transactionId: `${name}-${randomUUID()}`,
            orderId: typeof body.orderId === 'string' ? body.orderId : '',
            amount,
            status: declined ? 'DECLINED' : 'APPROVED',
            reason: declined ? 'The card limit is exceeded' : null,
            refunded: false,
          };
          authorizations.set(key, authorization);
        }
        if (control.answerDelayMs) await sleep(control.answerDelayMs);
        return sendJson(res, 200, authorization);
      }
      const lookup = /^\/authorizations\/(.+)$/.exec(url.pathname);
      if (req.method === 'GET' && lookup) {
        const authorization = authorizations.get(decodeURIComponent(lookup[1]));
        return authorization
          ? sendJson(res, 200, authorization)
          : sendJson(res, 404, { error: 'no such authorization' });
      }
      if (req.method === 'POST' && url.pathname === '/refunds') {
        const body = await readBody(req);
        const key = typeof body.key === 'string' ? body.key : '';
        const authorization = [...authorizations.values()].find((a) => a.transactionId === body.transactionId);
        if (!key || !authorization) return sendJson(res, 404, { error: 'no such transaction' });
        let refund = refunds.get(key);
        if (!refund) {
          refund = {
            refundId: `${name}-refund-${randomUUID()}`,
            transactionId: authorization.transactionId,
            amount: authorization.amount,
          };
          refunds.set(key, refund);
          authorization.refunded = true;
        }
        return sendJson(res, 200, refund);
      }
      return sendJson(res, 404, { error: 'not found' });
    } catch (error) {
      return sendJson(res, 400, { error: (error as Error).message });
    }
  };
  return http.createServer((req, res) => void handle(req, res));
}

if (require.main === module) {
  refuseUnfitSettings([simulatorConfig]);
  const which = simulatorConfig().PROVIDER_ID;
  const name = `provider-${which.toLowerCase()}`;
  const log = createLogger(name);
  const server = createProviderSimulator(name);
  listen(server, port(which === 'B' ? 'providerB' : 'providerA')).then(
    () => {
      log.info({ port: port(which === 'B' ? 'providerB' : 'providerA') }, 'payment provider simulator listening');
      stopOnSignals(log, () => new Promise((resolve) => server.close(() => resolve())));
    },
    (error) => {
      log.error({ err: error }, 'cannot start');
      process.exit(1);
    },
  );
}
