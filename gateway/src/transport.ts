import { CallFailure, callWithin, keepAliveAgent, type CallAnswer } from '@baedal/platform';
import { Response } from 'node-fetch';
import { SubgraphFailure } from './resilience';

/*
 * How the gateway reaches a subgraph: one keep-alive pool for every call (the
 * default client opened a connection per request and spent about half the
 * gateway's CPU doing so: docs/performance.md, P1), under a timeout.
 */

export const agent = keepAliveAgent();

/** Set on a subgraph request by willSendRequest, read by the fetcher: how long to wait for this request. */
export const TIMEOUT_HEADER = 'x-baedal-timeout-ms';

export interface SubgraphRequest {
  method?: string;
  headers: Record<string, string>;
  body: string;
}

/** Every subgraph call: callWithin over the shared pool; no answer in time is a SubgraphFailure. */
export async function sendWithin(
  subgraph: string,
  url: string,
  init: SubgraphRequest,
  timeoutMs: number,
): Promise<CallAnswer> {
  try {
    return await callWithin(url, { ...init, timeoutMs, agent });
  } catch (error) {
    if (!(error instanceof CallFailure)) throw error;
    const message = error.kind === 'timeout' ? `${subgraph} timed out` : `${subgraph}: ${error.message}`;
    throw new SubgraphFailure(subgraph, error.kind, message);
  }
}

/** sendWithin as the fetcher Apollo's data source expects: a fetch Response with the headers it reads. */
export async function fetchWithin(subgraph: string, url: string, init: SubgraphRequest, timeoutMs: number) {
  const answer = await sendWithin(subgraph, url, init, timeoutMs);
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'cache-control']) {
    const value = answer.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return new Response(answer.text, { status: answer.status, headers });
}
