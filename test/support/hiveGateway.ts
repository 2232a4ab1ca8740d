import fs from 'node:fs';
import path from 'node:path';
import { createGatewayRuntime, type GatewayPlugin } from '@graphql-hive/gateway';
import { print, stripIgnoredCharacters, type DocumentNode } from 'graphql';
import { identityFromAuthorization, identityHeaders, signSubscription, type Identity } from '@baedal/platform';
import { REPO_ROOT } from '@baedal/stack';

/*
 * The checked-in supergraph served by Hive Gateway (@graphql-hive/gateway),
 * as Apollo Router would serve it: Apollo Router cannot be installed here.
 * Baedal's subgraphs answer only what a gateway signed for its caller, so a
 * plugin plays the part an operator gives such a router (a coprocessor, in
 * Apollo Router's terms): it verifies the client's token and signs each
 * subgraph request, and each subscription, for that caller.
 */

const SUPERGRAPH = path.join(REPO_ROOT, 'gateway', 'supergraph.graphql');

// How Hive prints what it sends a subgraph (@graphql-tools/executor-common's defaultPrintFn): what is signed.
const printed = (document: DocumentNode) => stripIgnoredCharacters(print(document));

interface HiveContext {
  request?: Request;
  connectionParams?: Record<string, unknown>;
}

function callerOf(context: HiveContext | undefined): Identity {
  const header = context?.request?.headers.get('authorization') ?? undefined;
  return identityFromAuthorization(header);
}

function signForBaedal(subgraphNameAt: (url: string) => string | undefined): GatewayPlugin {
  return {
    onSubgraphExecute(payload) {
      const { subgraphName, executionRequest } = payload;
      if (String(executionRequest.operationType) !== 'subscription') return;
      const subscription = { query: printed(executionRequest.document), variables: executionRequest.variables };
      const caller = callerOf(executionRequest.context as HiveContext);
      payload.setExecutionRequest({
        ...executionRequest,
        extensions: { ...executionRequest.extensions, ...signSubscription(caller, subgraphName, subscription) },
      });
    },
    onFetch(payload) {
      const { url, options, context } = payload;
      const audience = subgraphNameAt(url);
      if (!audience) return;
      const body = typeof options.body === 'string' ? options.body : '';
      const signed = identityHeaders(callerOf(context as HiveContext), { audience, method: 'POST', body });
      payload.setOptions({ ...options, headers: { ...(options.headers as Record<string, string>), ...signed } });
    },
  };
}

/** Hive Gateway over the checked-in supergraph, reaching each subgraph at `urls[name]`. */
export function hiveGateway(urls: Record<string, string>) {
  const byUrl = new Map(Object.entries(urls).map(([name, url]) => [url, name]));
  return createGatewayRuntime({
    supergraph: fs.readFileSync(SUPERGRAPH, 'utf8'),
    transportEntries: Object.fromEntries(
      Object.entries(urls).map(([name, url]) => [
        name,
        {
          location: url,
          // Over graphql-ws at the subgraph's /graphql; closed as soon as no subscription needs it.
          options: { subscriptions: { kind: 'ws', location: url, options: { lazyCloseTimeout: 0 } } },
        },
      ]),
    ),
    plugins: () => [signForBaedal((url) => byUrl.get(url))],
    logging: 'error',
    maskedErrors: false,
  });
}
