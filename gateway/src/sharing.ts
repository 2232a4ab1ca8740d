import type { Schema } from '@apollo/federation-internals';
import {
  getNamedType,
  isAbstractType,
  isInterfaceType,
  isObjectType,
  Kind,
  OperationTypeNode,
  parse,
  type DocumentNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { LRUCache } from 'lru-cache';

/*
 * The one privacy decision: whether an answer may be shared across callers
 * (the response cache, the fallback cache's shared entries) or belongs to
 * the caller who asked. Subgraphs declare public fields in their SDL with
 * @public (a composed directive, so it reaches the supergraph); everything
 * else is private. An operation, or a fetch the query planner sends to a
 * subgraph, is shared only when every field it selects is public, along
 * every path that reaches it, and it is a query. Meta fields: __typename is
 * public (it names a type the schema shows everyone); introspection is not
 * declared, so it is private (never kept, never shared).
 */

/** The spec a subgraph links to declare @public (docs/fault-isolation.md). */
export const PRIVACY_SPEC = 'https://specs.baedal.dev/privacy/';

/** Fields the federation subgraph protocol adds to a subgraph's Query: steps, not data. */
const ENTRY_POINTS = new Set(['_entities']);

export interface Sharing {
  /** Whether a client operation's answer is the same for every caller. */
  operationIsShared(document: DocumentNode): boolean;
  /** Whether a subgraph fetch's answer (by its query text, as the planner sends it) is the same for every caller. */
  fetchIsShared(query: string): boolean;
  /** Every "Type.field" declared public (for the table test). */
  readonly publicFields: ReadonlySet<string>;
}

/** The name @public is imported under by the supergraph's link to the privacy spec (default: public). */
function publicDirectiveName(schema: Schema): string {
  for (const link of schema.schemaDefinition.appliedDirectivesOf('link')) {
    const { url, import: imports } = link.arguments() as {
      url?: string;
      import?: (string | { name: string; as?: string })[];
    };
    if (!url?.startsWith(PRIVACY_SPEC)) continue;
    for (const entry of imports ?? []) {
      if (entry === '@public') return 'public';
      if (typeof entry === 'object' && entry.name === '@public') return (entry.as ?? '@public').replace(/^@/, '');
    }
  }
  return 'public';
}

export function sharingFor(supergraphSchema: Schema, schema: GraphQLSchema): Sharing {
  const directive = publicDirectiveName(supergraphSchema);
  const publicFields = new Set<string>();
  for (const type of supergraphSchema.types()) {
    if (type.kind !== 'ObjectType' && type.kind !== 'InterfaceType') continue;
    for (const field of type.fields())
      if (field.appliedDirectivesOf(directive).length) publicFields.add(`${type.name}.${field.name}`);
  }

  const fieldIsPublic = (parent: GraphQLNamedType, name: string): boolean => {
    if (name === '__typename') return true;
    if (!publicFields.has(`${parent.name}.${name}`)) return false;
    // A field read through an interface is answered by whichever type the object turns out to be.
    return (
      !isAbstractType(parent) || schema.getPossibleTypes(parent).every((t) => publicFields.has(`${t.name}.${name}`))
    );
  };

  const sharedSelection = (
    document: DocumentNode,
    set: SelectionSetNode,
    parent: GraphQLNamedType | undefined,
    expanding: Set<string>,
  ): boolean => {
    if (!parent) return false;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (parent === schema.getQueryType() && ENTRY_POINTS.has(name)) {
          // _entities(representations:) { ... on Shop { … } }: each fragment names the entity type.
          if (!selection.selectionSet || !sharedSelection(document, selection.selectionSet, parent, expanding))
            return false;
          continue;
        }
        if (!fieldIsPublic(parent, name)) return false;
        if (!selection.selectionSet) continue;
        const def = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
        if (!def || !sharedSelection(document, selection.selectionSet, getNamedType(def.type), expanding)) return false;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (!sharedSelection(document, selection.selectionSet, type, expanding)) return false;
      } else {
        const name = selection.name.value;
        if (expanding.has(name)) return false;
        const fragment = document.definitions.find(
          (d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === name,
        ) as { typeCondition: { name: { value: string } }; selectionSet: SelectionSetNode } | undefined;
        if (!fragment) return false;
        expanding.add(name);
        const shared = sharedSelection(
          document,
          fragment.selectionSet,
          schema.getType(fragment.typeCondition.name.value),
          expanding,
        );
        expanding.delete(name);
        if (!shared) return false;
      }
    }
    return true;
  };

  const operationIsShared = (document: DocumentNode): boolean => {
    const operations = document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    return (
      operations.length === 1 &&
      operations[0].operation === OperationTypeNode.QUERY &&
      sharedSelection(document, operations[0].selectionSet, schema.getQueryType() ?? undefined, new Set())
    );
  };

  // The planner sends the same few fetch texts again and again: decided once per text.
  const fetches = new LRUCache<string, { shared: boolean }>({ max: 5_000 });
  const fetchIsShared = (query: string): boolean => {
    let known = fetches.get(query);
    if (!known) {
      let shared = false;
      try {
        shared = operationIsShared(parse(query));
      } catch {
        // not GraphQL: private
      }
      known = { shared };
      fetches.set(query, known);
    }
    return known.shared;
  };

  return { operationIsShared, fetchIsShared, publicFields };
}
