import type { Supergraph } from '@apollo/federation-internals';
import {
  Kind,
  OperationTypeNode,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

/*
 * Which subgraph, if any, can answer a query exactly as the client wrote it.
 * The customer query model puts everything a shop list or a shop page shows
 * into the shops subgraph, so most customer reads need no join at all; such a
 * read can go to that subgraph as it came, and its answer back as it came,
 * without a query plan, result shaping and a second serialization.
 *
 * Commands are the same: placeOrder or payOrder touches one subgraph, and
 * planning it cost the gateway more than the subgraph's own work.
 *
 * A document qualifies when it is one query or mutation operation, valid
 * against the supergraph, without introspection, and valid against exactly
 * one subgraph's own schema without touching a field that subgraph marks
 * @external (a field it cannot resolve itself). Everything else is null: the
 * gateway's pipeline plans it.
 */
export interface SingleSubgraphRoute {
  subgraph: string;
  /** A command: sent once, never kept, never sent again through the pipeline. */
  mutation: boolean;
}

export type SingleSubgraphRouter = (document: DocumentNode) => SingleSubgraphRoute | null;

interface Candidate {
  name: string;
  schema: GraphQLSchema;
  /** "Type.field" pairs the subgraph only references. */
  external: Set<string>;
}

export function singleSubgraphRouter(supergraph: Supergraph, api: GraphQLSchema): SingleSubgraphRouter {
  const candidates: Candidate[] = [...supergraph.subgraphs()].map((subgraph) => {
    const external = new Set<string>();
    for (const type of subgraph.schema.objectTypes()) {
      for (const field of type.fields())
        if (field.hasAppliedDirective('external')) external.add(`${type.name}.${field.name}`);
    }
    return { name: subgraph.name, schema: subgraph.schema.toGraphQLJSSchema(), external };
  });
  const usesOnly = (candidate: Candidate, document: DocumentNode): boolean => {
    if (validate(candidate.schema, document).length) return false;
    const typeInfo = new TypeInfo(candidate.schema);
    let own = true;
    visit(
      document,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          const parent = typeInfo.getParentType();
          if (parent && candidate.external.has(`${parent.name}.${node.name.value}`)) own = false;
        },
      }),
    );
    return own;
  };

  return (document) => {
    const operations = document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    if (operations.length !== 1 || operations[0].operation === OperationTypeNode.SUBSCRIPTION) return null;
    let introspects = false;
    visit(document, {
      Field(node) {
        if (node.name.value === '__schema' || node.name.value === '__type') introspects = true;
      },
    });
    if (introspects || validate(api, document).length) return null;
    const able = candidates.filter((candidate) => usesOnly(candidate, document));
    return able.length === 1
      ? { subgraph: able[0].name, mutation: operations[0].operation === OperationTypeNode.MUTATION }
      : null;
  };
}
