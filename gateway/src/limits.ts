import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  GraphQLError,
  getNamedType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValueNode,
} from 'graphql';

/*
 * The limits every request meets before any work is done for it, on every
 * path (the response cache's misses, the shortcut, the query planner): the
 * document's tokens, depth, aliases and root fields, and an estimate of its
 * cost that weighs list arguments. GraphQL Armor measures depth and aliases
 * (its rules, on the document the gateway has already parsed); graphql-js
 * counts tokens while parsing. A refusal is QUERY_TOO_COMPLEX, naming the
 * limit, its value and what was found.
 */

export interface Limits {
  tokens: number;
  depth: number;
  aliases: number;
  rootFields: number;
  cost: number;
}

export type LimitName = keyof Limits;

/** The argument whose value says how many items a list field returns. */
const PAGE_SIZE_ARGUMENTS = ['first', 'last', 'limit'];

export function tooComplex(limit: LimitName, max: number, found: number | string): GraphQLError {
  const what = {
    tokens: 'tokens',
    depth: 'levels of nesting',
    aliases: 'aliases',
    rootFields: 'top-level fields',
    cost: 'cost (fields weighed by the page sizes they are fetched under)',
  }[limit];
  return new GraphQLError(`The request is too complex: at most ${max} ${what} are allowed, it has ${found}`, {
    extensions: { code: 'QUERY_TOO_COMPLEX', limit, max, found, http: { status: 400 } },
  });
}

/** Parses a query under the token limit: the document, or the refusal (a syntax error is the pipeline's to word: null). */
export function parseWithin(
  query: string,
  maxTokens: number,
): { document: DocumentNode } | { refusal: GraphQLError } | null {
  try {
    return { document: parse(query, { maxTokens }) };
  } catch (error) {
    if (/Document contains more tha[nt] \d+ tokens/.test((error as Error).message))
      return { refusal: tooComplex('tokens', maxTokens, `more than ${maxTokens}`) };
    return null;
  }
}

/** What GraphQL Armor's rules measured, read through their accept callbacks (their own limits set out of reach). */
function armorMeasures(schema: GraphQLSchema, document: DocumentNode): { depth: number; aliases: number } {
  const found = { depth: 0, aliases: 0 };
  const measure = (key: 'depth' | 'aliases') => [
    (_ctx: ValidationContext | null, details: { n: number }) => {
      found[key] = Math.max(found[key], details.n);
    },
  ];
  const unbounded = Number.MAX_SAFE_INTEGER;
  validate(schema, document, [
    maxDepthRule({ n: unbounded, onAccept: measure('depth'), propagateOnRejection: false }),
    maxAliasesRule({ n: unbounded, onAccept: measure('aliases'), propagateOnRejection: false }),
  ]);
  return found;
}

/** The names of an operation's root fields, through fragments and inline fragments (a fragment spread once). */
export function rootFieldNames(document: DocumentNode, operation: OperationDefinitionNode): string[] {
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
  );
  const seen = new Set<string>();
  const names = (set: SelectionSetNode): string[] =>
    set.selections.flatMap((selection) => {
      if (selection.kind === Kind.FIELD) return [selection.name.value];
      if (selection.kind === Kind.INLINE_FRAGMENT) return names(selection.selectionSet);
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(fragment.name.value)) return [];
      seen.add(fragment.name.value);
      return names(fragment.selectionSet);
    });
  return names(operation.selectionSet);
}

function isList(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/**
 * Every field costs 1, times the page sizes of the list fields above it: a
 * page of 50 shops with 10 reviews each is 1 + 50 + 500. A list field's page
 * size is its `first` argument (a literal, a variable's value, or the
 * schema's default); lists without one (a shop's menu) are bounded by the
 * domain and weigh 1. Fragments count where they are spread.
 */
export function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
): number {
  return weigh(schema, document, variables).cost;
}

/**
 * The cost of a document whose page sizes are all literals or defaults: the same for any variables,
 * so decided once per document, not per request. Null when a variable sets one.
 */
export function fixedCost(schema: GraphQLSchema, document: DocumentNode): number | null {
  const { cost, readsVariables } = weigh(schema, document, undefined);
  return readsVariables ? null : cost;
}

function weigh(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
): { cost: number; readsVariables: boolean } {
  let readsVariables = false;
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
  );
  const valueOf = (node: ValueNode): unknown => {
    if (node.kind === Kind.INT) return Number(node.value);
    if (node.kind !== Kind.VARIABLE) return undefined;
    readsVariables = true;
    return variables?.[node.name.value];
  };
  const pageSize = (node: FieldNode, def: GraphQLField<unknown, unknown>): number => {
    if (!isList(def.type)) return 1;
    for (const name of PAGE_SIZE_ARGUMENTS) {
      const given = node.arguments?.find((a) => a.name.value === name);
      const value = given ? valueOf(given.value) : def.args.find((a) => a.name === name)?.defaultValue;
      if (typeof value === 'number' && value > 0) return value;
    }
    return 1;
  };
  // Fragments being expanded: a cycle is a validation error the pipeline reports; never loop on it here.
  const expanding = new Set<string>();
  const cost = (set: SelectionSetNode, parent: GraphQLNamedType | undefined, weight: number): number => {
    let sum = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        sum += weight;
        const def =
          isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
        if (def && selection.selectionSet)
          sum += cost(selection.selectionSet, getNamedType(def.type), weight * pageSize(selection, def));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        sum += cost(selection.selectionSet, type, weight);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || expanding.has(fragment.name.value)) continue;
        expanding.add(fragment.name.value);
        sum += cost(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value), weight);
        expanding.delete(fragment.name.value);
      }
    }
    return sum;
  };
  let total = 0;
  for (const definition of document.definitions)
    if (definition.kind === Kind.OPERATION_DEFINITION)
      total = Math.max(total, cost(definition.selectionSet, schema.getRootType(definition.operation) ?? undefined, 1));
  return { cost: total, readsVariables };
}

/** The first limit of the document's shape it exceeds (depth, aliases, root fields), or null. */
export function exceededShape(schema: GraphQLSchema, document: DocumentNode, limits: Limits): GraphQLError | null {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const { depth, aliases } = armorMeasures(schema, document);
  if (depth > limits.depth) return tooComplex('depth', limits.depth, depth);
  if (aliases > limits.aliases) return tooComplex('aliases', limits.aliases, aliases);
  const rootFields = Math.max(0, ...operations.map((o) => rootFieldNames(document, o).length));
  if (rootFields > limits.rootFields) return tooComplex('rootFields', limits.rootFields, rootFields);
  return null;
}

/** A refusal when the operation's cost (`fixed`, or weighed with these variables) exceeds the limit; or null. */
export function exceededCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  limits: Limits,
  fixed: number | null = null,
): GraphQLError | null {
  const cost = fixed ?? estimateCost(schema, document, variables);
  return cost > limits.cost ? tooComplex('cost', limits.cost, cost) : null;
}
