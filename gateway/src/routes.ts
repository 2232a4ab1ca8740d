import { SERVICES, sendJson, subgraphUrl, type Route, type ServiceName } from '@baedal/platform';
import fetch from 'node-fetch';
import { registry } from './metrics';
import { agent } from './transport';

async function subgraphReady(name: ServiceName): Promise<{ name: string; ready: boolean; detail?: string }> {
  const url = subgraphUrl(name).replace(/\/graphql$/, '/readyz');
  try {
    const response = await fetch(url, { agent, timeout: 1000 });
    return { name, ready: response.ok, ...(response.ok ? {} : { detail: `HTTP ${response.status}` }) };
  } catch (error) {
    return { name, ready: false, detail: (error as Error).message };
  }
}

/** The gateway's health and metrics routes (GET). */
export const routes: Record<string, Route> = {
  '/healthz': (_req, res) => sendJson(res, 200, { status: 'ok' }),
  '/metrics': async (_req, res) => {
    const body = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType });
    res.end(body);
  },
  '/readyz': async (_req, res) => {
    const subgraphs = await Promise.all(SERVICES.map(subgraphReady));
    const ready = subgraphs.every((s) => s.ready);
    sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'degraded', subgraphs });
  },
};
