import { Supergraph } from '@apollo/federation-internals';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  Kind,
  OperationTypeNode,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import { askerOf, type Asker, type GatewayContext } from './context';
import { exceededCost, exceededShape, fixedCost, parseWithin, rootFieldNames, type Limits } from './limits';
import { sharingFor, type Sharing } from './sharing';
import { singleSubgraphRouter, type SingleSubgraphRoute } from './singleSubgraph';

/*
 * What the gateway decides about an operation before doing any work for it,
 * once per distinct query text and then shared by every path: whether it is
 * within the limits (limits.ts), whether its answer is the same for every
 * caller (sharing.ts), and which subgraph, if one alone, answers it exactly
 * (singleSubgraph.ts). The response cache, the fallback cache, the shortcut
 * and the query planner all act on this one decision.
 */

export interface OperationDecision {
  document: DocumentNode;
  /** Same answer for every caller: the response cache may keep it, whoever asks. */
  shared: boolean;
  /** The one subgraph that answers it exactly as the pipeline would, or null for the pipeline. */
  route: SingleSubgraphRoute | null;
  /** Its root fields' names (the response cache keeps documents and lists apart). */
  rootFields: readonly string[];
  /** Every root field any of its operations may run, through fragments (what the rate limits count). */
  reaches: ReadonlySet<string>;
  /** Whether any of its operations is a mutation. */
  mutation: boolean;
  /** A limit its document exceeds whatever its variables, or null. */
  refusal: GraphQLError | null;
  /** Its cost when no variable sets a page size (limits.ts), or null to weigh it per request. */
  fixedCost: number | null;
}

export interface OperationModel {
  readonly api: GraphQLSchema;
  readonly sharing: Sharing;
  readonly supergraph: Supergraph;
  /** The decision for a query text; a refusal when it exceeds the token limit; null when it is not GraphQL (the pipeline words that). */
  decide(query: string): OperationDecision | { refusal: GraphQLError } | null;
  /** The decision for a document the pipeline parsed (not remembered). */
  decideDocument(document: DocumentNode): OperationDecision;
  /** The decision's refusal, or one for the cost its variables give it; null to go on. */
  admit(decision: OperationDecision, variables: unknown): GraphQLError | null;
}

/** Counts what an operation costs its asker (rateLimits.ts): null to go on, or the refusal. */
export type RateLimit = (decision: OperationDecision, asker: Asker) => Promise<GraphQLError | null>;

export interface OperationModelOptions {
  limits: Limits | null;
  /** Route single-subgraph operations (BAEDAL_SINGLE_SUBGRAPH_READS). */
  shortcut: boolean;
}

function variablesOf(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

export function operationModel(supergraphSdl: string, options: OperationModelOptions): OperationModel {
  const supergraph = Supergraph.build(supergraphSdl);
  const api = supergraph.apiSchema().toGraphQLJSSchema();
  const sharing = sharingFor(supergraph.schema, supergraph.schema.toGraphQLJSSchema());
  const route = options.shortcut ? singleSubgraphRouter(supergraph, api) : () => null;
  const { limits } = options;
  const decided = new LRUCache<string, OperationDecision | { refusal: GraphQLError } | { invalid: true }>({
    max: 5_000,
  });

  const decideText = (query: string): OperationDecision | { refusal: GraphQLError } | { invalid: true } => {
    const parsed = parseWithin(query, limits?.tokens ?? Number.MAX_SAFE_INTEGER);
    if (!parsed) return { invalid: true };
    if ('refusal' in parsed) return parsed;
    return decideDocument(parsed.document);
  };

  const decideDocument = (document: DocumentNode): OperationDecision => {
    const operations = document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    const rootFields =
      operations.length === 1
        ? operations[0].selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []))
        : [];
    const refusal = limits ? exceededShape(api, document, limits) : null;
    return {
      document,
      rootFields,
      reaches: new Set(operations.flatMap((o) => rootFieldNames(document, o))),
      mutation: operations.some((o) => o.operation === OperationTypeNode.MUTATION),
      refusal,
      fixedCost: limits && !refusal ? fixedCost(api, document) : null,
      shared: !refusal && sharing.operationIsShared(document),
      route: refusal ? null : route(document),
    };
  };

  return {
    api,
    sharing,
    supergraph,
    decideDocument,
    decide(query) {
      let known = decided.get(query);
      if (!known) {
        known = decideText(query);
        decided.set(query, known);
      }
      return 'invalid' in known ? null : known;
    },
    admit(decision, variables) {
      if (decision.refusal || !limits) return decision.refusal;
      return exceededCost(api, decision.document, variablesOf(variables), limits, decision.fixedCost);
    },
  };
}

/**
 * The same limits (and rate limits) for requests the HTTP layer could not read a query text
 * from (a persisted query sent by its hash alone), applied by the pipeline
 * once it has the document.
 */
export function limitsPlugin(model: OperationModel, rateLimit?: RateLimit): ApolloServerPlugin<GatewayContext> {
  return {
    requestDidStart({ contextValue }) {
      if (contextValue.admitted) return Promise.resolve();
      return Promise.resolve({
        async didResolveOperation({ document, request }) {
          const decision = model.decideDocument(document);
          const refusal =
            model.admit(decision, request.variables) ?? (await rateLimit?.(decision, askerOf(contextValue)));
          if (refusal) throw refusal;
        },
      });
    },
  };
}
