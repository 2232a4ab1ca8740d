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
