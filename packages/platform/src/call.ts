import http from 'node:http';

/*
 * One way to call another HTTP service of the platform (the gateway's
 * subgraphs, payments' providers): node:http over a keep-alive pool, the
 * whole answer read as text, given up after a timeout. Not fetch: its
 * Response machinery and abort timers cost more than the call itself
 * (docs/performance.md, P4).
 */

export interface CallAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** The call got no answer: it timed out, or the connection failed. */
export class CallFailure extends Error {
  constructor(
    readonly kind: 'timeout' | 'connection',
    message: string,
  ) {
    super(message);
  }
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  agent: http.Agent;
}

export function keepAliveAgent(maxSockets = 256): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets });
}

export function callWithin(url: string, options: CallOptions): Promise<CallAnswer> {
  return new Promise((resolve, reject) => {
    // Set once the request exists; every use is in a callback that runs after that.
    // eslint-disable-next-line prefer-const
    let timer: NodeJS.Timeout | undefined;
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error instanceof CallFailure ? error : new CallFailure('connection', error.message));
    };
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    const request = http.request(
      url,
      { method: options.method ?? 'POST', agent: options.agent, headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
        response.on('error', fail);
      },
    );
    timer = setTimeout(() => {
      const timedOut = new CallFailure('timeout', `no answer within ${options.timeoutMs} ms`);
      // Settled here, whatever the destroyed request and its response still emit.
      fail(timedOut);
      request.destroy(timedOut);
    }, options.timeoutMs);
    request.on('error', fail);
    request.end(options.body);
  });
}
