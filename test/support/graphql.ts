import { identityHeaders, type Identity } from '@baedal/platform';
export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [key: string]: unknown } }[];
}

/** POSTs a GraphQL operation; `headers` may carry Authorization or signed identity. */
export async function graphql<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as object) };
}

/**
 * A request straight to a subgraph, as the gateway sends one: the caller's
 * identity signed for that subgraph (`audience`) and this body, at `now`.
 */
export async function asGateway<T = any>(
  url: string,
  audience: string,
  identity: Identity,
  query: string,
  variables: Record<string, unknown> = {},
  now = Date.now(),
): Promise<GraphQLResponse<T>> {
  const body = JSON.stringify({ query, variables });
  const headers = { 'content-type': 'application/json', ...identityHeaders(identity, { audience, body }, now) };
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, ...((await response.json()) as object) };
}

/** Where the gateway at `url` serves `path` for the cluster alone: its internal port (its port + 90 unless set). */
export function gatewayInternal(url: string, path: string): string {
  const internal = new URL(url);
  internal.port = String(Number(internal.port) + 90);
  internal.pathname = path;
  return internal.toString();
}

/** The gateway's /metrics text (Prometheus format), from its internal port. */
export async function gatewayMetrics(url: string): Promise<string> {
  return (await fetch(gatewayInternal(url, '/metrics'))).text();
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export function codes(response: GraphQLResponse): (string | undefined)[] {
  return (response.errors ?? []).map((e) => e.extensions?.code);
}

export async function login(
  url: string,
  email: string,
  password = 'baedal1234',
): Promise<{ token: string; userId: string }> {
  const response = await graphql(
    url,
    'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token user { id } } }',
    { e: email, p: password },
  );
  if (!response.data?.login) throw new Error(`login ${email} failed: ${JSON.stringify(response.errors)}`);
  return { token: response.data.login.token, userId: response.data.login.user.id };
}
