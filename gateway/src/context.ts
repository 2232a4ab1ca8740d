import type { Identity } from '@baedal/platform';

/** What the gateway knows of a request while answering it. */
export interface GatewayContext {
  identity: Identity;
  requestId: string;
  /** The client's address (behind a trusted proxy, the one it forwarded for). */
  clientIp: string;
  /** Subgraphs answered from the fallback cache in this request, with the age of their data in seconds. */
  stale: Map<string, number>;
  /** The limits were checked before the pipeline (a query text was sent); otherwise the pipeline checks them. */
  admitted: boolean;
}

/** Who is asking, as the rate limits count: the client's address and, when signed in, the account. */
export interface Asker {
  clientIp: string;
  userId: string | null;
}

export const askerOf = (context: Pick<GatewayContext, 'clientIp' | 'identity'>): Asker => ({
  clientIp: context.clientIp,
  userId: context.identity.userId,
});
