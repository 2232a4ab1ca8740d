import { ANONYMOUS, identityHeaders, metricsRoute, sendJson, type Route } from '@baedal/platform';
import fetch from 'node-fetch';
import { agent } from './transport';

export interface SubgraphEndpoint {
  name: string;
  url: string;
}

const PROBE = '{"query":"{ __typename }"}';

/** Whether a subgraph answers GraphQL at all: `{ __typename }` is the one query every subgraph answers. */
async function subgraphReady({
  name,
  url,
}: SubgraphEndpoint): Promise<{ name: string; ready: boolean; detail?: string }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      // Signed as every request the gateway forwards (a subgraph answers nothing else), as an anonymous caller.
      headers: { 'content-type': 'application/json', ...identityHeaders(ANONYMOUS, { audience: name, body: PROBE }) },
      body: PROBE,
      agent,
      timeout: 1000,
    });
    return { name, ready: response.ok, ...(response.ok ? {} : { detail: `HTTP ${response.status}` }) };
  } catch (error) {
    return { name, ready: false, detail: (error as Error).message };
  }
}

/**
 * The gateway's health routes (GET). The public port says only whether it is
 * ready; which subgraph is not, and the metrics, are on the internal port
 * (GATEWAY_INTERNAL_PORT), which only the cluster reaches.
 */
export function gatewayRoutes(subgraphs: readonly SubgraphEndpoint[]): {
  public: Record<string, Route>;
  internal: Record<string, Route>;
} {
  const readiness = async () => {
    const states = await Promise.all(subgraphs.map(subgraphReady));
    return { ready: states.every((s) => s.ready), states };
  };
  const healthz: Route = (_req, res) => sendJson(res, 200, { status: 'ok' });
  return {
    public: {
      '/healthz': healthz,
      '/readyz': async (_req, res) => {
        const { ready } = await readiness();
        sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'degraded' });
      },
    },
    internal: {
      '/healthz': healthz,
      '/metrics': metricsRoute,
      '/readyz': async (_req, res) => {
        const { ready, states } = await readiness();
        sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'degraded', subgraphs: states });
      },
    },
  };
}
