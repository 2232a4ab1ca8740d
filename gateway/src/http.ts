import type http from 'node:http';
import { Kind, type GraphQLError } from 'graphql';
import type { RequestTarget } from '@baedal/platform';
import { boundedLabel, GraphQLHttp, notFoundRoute, observeOperation, sendJsonText } from '@baedal/platform';
import { askerOf, type GatewayContext } from './context';
import { responseCacheLookups } from './metrics';
import type { OperationDecision, OperationModel, RateLimit } from './operation';
import type { TrustedDocuments } from './persistedOperations';
import type { KeptAnswer, ResponseCache } from './responseCache';

/** Answers an operation one subgraph answers alone (the decision's route): its JSON text, or null for the pipeline. */
export type Shortcut = (
  decision: OperationDecision,
  request: { query: string; variables?: unknown },
  rawBody: string,
  context: GatewayContext,
) => Promise<string | null>;

export interface GatewayHttpOptions {
  graphql: GraphQLHttp<GatewayContext>;
  operations: OperationModel;
  responseCache?: ResponseCache;
  shortcut: Shortcut;
  /** Refuses a caller whose credentials are not valid (as the context would), or returns nothing. */
  checkCaller: (headers: http.IncomingHttpHeaders) => void;
  /** Root fields whose shared answers are documents (kept through a listings change). */
  documentRoots: ReadonlySet<string>;
  /** Counts what costs per address and account (rateLimits.ts); absent when the limits are off. */
  rateLimit?: RateLimit;
  /** In trusted-documents mode, the operations that may run (persistedOperations.ts). */
  trusted?: TrustedDocuments;
}

interface GraphQLRequestBody {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
  extensions?: unknown;
}

/** What one request came to, for the metrics: the operation's name, and whether it was answered without errors. */
interface Served {
  operation?: string;
  ok: boolean;
}

/** The name of the operation a request runs: the one it names, or its document's only operation's. */
function operationNameOf(
  decision: OperationDecision | null,
  request: { operationName?: unknown } | null,
): string | undefined {
  if (typeof request?.operationName === 'string') return request.operationName;
  const operations = decision?.document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION) ?? [];
  return operations.length === 1 ? operations[0].name?.value : undefined;
}

function refusalText(error: GraphQLError): string {
  const { http: _http, ...extensions } = error.extensions as Record<string, unknown>;
  return JSON.stringify({ errors: [{ message: error.message, extensions }] });
}

/** The request's GraphQL parameters: a POST's JSON body, or a GET's query string. */
function requestOf(method: string | undefined, json: unknown, search: string): GraphQLRequestBody | null {
  if (method === 'POST') return json && typeof json === 'object' ? json : null;
  const params = new URLSearchParams(search);
  let variables: unknown;
  try {
    variables = JSON.parse(params.get('variables') ?? 'null');
  } catch {
    variables = undefined;
  }
  return { query: params.get('query') ?? undefined, variables };
}

/**
 * How the gateway answers /graphql: the GraphQL-over-HTTP steps every server
 * takes (platform's GraphQLHttp), with the gateway's own paths between them,
 * all acting on one decision per operation (operation.ts). A kept shared
 * answer is sent before anything is parsed (only the caller's credentials
 * are checked); otherwise the limits refuse before any work, then the
 * rate limits count what costs, then the shortcut answers what one subgraph
 * answers alone, then the query planner.
 */
export function gatewayHandler(options: GatewayHttpOptions) {
  const { graphql, operations, responseCache, shortcut, checkCaller, documentRoots, rateLimit, trusted } = options;
  const label = boundedLabel();
  const sendHit = (res: http.ServerResponse, hit: KeptAnswer): Served => {
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': hit.bytes.length,
      'x-cache': 'hit',
    });
    res.end(hit.bytes);
    return { operation: hit.operation, ok: true };
  };
  const refuse = (res: http.ServerResponse, status: number, text: string, operation?: string): Served => {
    sendJsonText(res, status, text);
    return { operation, ok: false };
  };

  const answer = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    target: RequestTarget,
  ): Promise<Served> => {
    const rawBody = await graphql.rawBody(req);
    const hit = req.method === 'POST' ? responseCache?.lookup(rawBody) : null;
    if (hit) {
      let valid = true;
      try {
        checkCaller(req.headers);
      } catch {
        valid = false; // the context refuses it below, as for any request
      }
      if (valid) {
        responseCacheLookups.hit++;
        return sendHit(res, hit);
      }
    }
    const parsed = graphql.parse(rawBody);
    if (!('json' in parsed)) return refuse(res, parsed.status, parsed.body);
    const request = requestOf(req.method, parsed.json, target.search);
    const untrusted = trusted && request && trusted.refusalOf(request);
    if (untrusted) return refuse(res, 400, refusalText(untrusted));
    const decided = typeof request?.query === 'string' ? operations.decide(request.query) : null;
    const decision = decided && 'document' in decided ? decided : null;
    const operation = label(operationNameOf(decision, request));
    const refusal = decided && !decision ? decided.refusal : decision && operations.admit(decision, request?.variables);
    if (refusal) return refuse(res, 400, refusalText(refusal), operation);
    const caller = await graphql.contextFor(
      {
        headers: req.headers,
        method: req.method ?? 'GET',
        body: rawBody,
        remoteAddress: req.socket.remoteAddress ?? '',
      },
      target.requestId,
    );
    if (!('context' in caller)) return refuse(res, caller.status, caller.body, operation);
    const context = caller.context;
    context.admitted = decision !== null;
    const limited = decision && (await rateLimit?.(decision, askerOf(context)));
    if (limited) {
      res.setHeader('retry-after', String((limited.extensions as { retryAfterSeconds: number }).retryAfterSeconds));
      return refuse(res, 429, refusalText(limited), operation);
    }

    const shared = req.method === 'POST' && decision?.shared === true && responseCache !== undefined;
    const document = shared && decision.rootFields.every((name) => documentRoots.has(name));
    if (shared) {
      responseCacheLookups.miss++;
      const twin = responseCache.join(rawBody);
      const kept = twin && (await twin);
      if (kept) return sendHit(res, kept);
    }
    const json = req.method === 'POST' && /^application\/json/i.test(req.headers['content-type'] ?? '');
    if (json && decision?.route && request && request.extensions === undefined) {
      const answer = await shortcut(
        decision,
        { query: request.query as string, variables: request.variables },
        rawBody,
        context,
      );
      if (answer !== null) {
        sendJsonText(res, 200, answer);
        if (shared) responseCache.store(rawBody, document, 200, answer, operation);
        return { operation, ok: !answer.includes('"errors"') };
      }
    }
    const response = await graphql.execute(req.method ?? 'GET', req.headers, target.search, parsed.json, context);
    const text = await graphql.send(res, response);
    if (shared) responseCache.store(rawBody, document, res.statusCode, text ?? '"errors"', operation);
    return { operation, ok: res.statusCode === 200 && !(text ?? '').includes('"errors"') };
  };

  return async (req: http.IncomingMessage, res: http.ServerResponse, target: RequestTarget): Promise<void> => {
    if (target.pathname !== '/graphql') return notFoundRoute(req, res, target.pathname);
    const startedAt = process.hrtime.bigint();
    const served = await answer(req, res, target);
    observeOperation(served.operation ?? 'anonymous', served.ok, startedAt);
  };
}
