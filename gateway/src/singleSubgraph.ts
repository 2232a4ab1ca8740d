import type { Supergraph } from '@apollo/federation-internals';
import {
  getNamedType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  Kind,
  OperationTypeNode,
  TypeInfo,
  typeFromAST,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

/*
 * Which subgraph, if any, answers a query exactly as the supergraph's query
 * planner would, so that it can go to that subgraph as it came and come back
 * as it came, without a query plan, result shaping and a second
 * serialization. The customer query model puts everything a shop list or a
 * shop page shows into the shops subgraph, so most customer reads qualify;
 * so do commands such as placeOrder or payOrder.
 *
 * The shortcut must answer exactly what the pipeline answers, for any
 * supergraph. So a document is routed only when the supergraph proves that
 * one subgraph resolves all of it as the API schema does, and otherwise
 * (when in doubt) goes to the pipeline:
 * - one query or mutation, valid against the API schema and the subgraph's
 *   own schema, without introspection or directives beyond @skip/@include;
 * - every selected field is the subgraph's own in the supergraph (join__field):
 *   not @external, not @requires, and not @override'n from or to it, progressive
 *   or not; on an abstract type, the same for every possible type;
 * - every field has the same type (nullability and lists included) in both;
 * - every type it reaches has the same kind in both (an @interfaceObject is an
 *   object in its subgraph and an interface in the API: never routed), every
 *   abstract type the same possible types, every object the same interfaces,
 *   every enum (read or sent) the same values (none @inaccessible), every
 *   input object the same fields.
 * Everything else is null: the gateway's pipeline plans it. The differential
 * test (test/shortcut.e2e.test.ts) compares both over fixture supergraphs.
 */
export interface SingleSubgraphRoute {
  subgraph: string;
  /** A command: sent once, never kept, never sent again through the pipeline. */
  mutation: boolean;
}

export type SingleSubgraphRouter = (document: DocumentNode) => SingleSubgraphRoute | null;

interface Candidate {
  name: string;
  /** The join__Graph enum value that names it in join__ directives. */
  graph: string;
  schema: GraphQLSchema;
}

interface JoinField {
  graph?: string;
  external?: boolean;
  requires?: string;
  override?: string;
  overrideLabel?: string;
  usedOverridden?: boolean;
}

const ALLOWED_DIRECTIVES = new Set(['skip', 'include']);

const sortedNames = (items: readonly { name: string }[]) =>
  items
    .map((i) => i.name)
    .sort()
    .join(',');

export function singleSubgraphRouter(supergraph: Supergraph, api: GraphQLSchema): SingleSubgraphRouter {
  const schema = supergraph.schema;
  const graphs = new Map<string, string>();
  const graphEnum = schema.type('join__Graph');
  if (graphEnum?.kind === 'EnumType') {
    for (const value of graphEnum.values) {
      const name = (value.appliedDirectivesOf('join__graph')[0]?.arguments() as { name?: string } | undefined)?.name;
      if (name) graphs.set(name, value.name);
    }
  }
  const candidates: Candidate[] = [...supergraph.subgraphs()].map((subgraph) => ({
    name: subgraph.name,
    graph: graphs.get(subgraph.name) ?? subgraph.name.toUpperCase(),
    schema: subgraph.schema.toGraphQLJSSchema(),
  }));

  /** Whether the supergraph has `candidate` resolve Type.field itself, and nothing moves it elsewhere. */
  const ownsField = (candidate: Candidate, typeName: string, fieldName: string): boolean => {
    if (fieldName.startsWith('__')) return fieldName === '__typename';
    const type = schema.type(typeName);
    if (!type || !('field' in type)) return false;
    const field = type.field(fieldName);
    if (!field) return false;
    const joins = field.appliedDirectivesOf('join__field').map((d) => d.arguments() as JoinField);
    if (joins.some((j) => j.override !== undefined && (j.graph === candidate.graph || j.override === candidate.name)))
      return false;
    if (!joins.length) {
      // Defined alike by every subgraph that has the type.
      return type.appliedDirectivesOf('join__type').some((d) => (d.arguments() as JoinField).graph === candidate.graph);
    }
    const own = joins.find((j) => j.graph === candidate.graph);
    return !!own && !own.external && !own.requires && !own.usedOverridden && own.overrideLabel === undefined;
  };

  const sameType = (candidate: Candidate, apiType: GraphQLNamedType, seen: Set<string>): boolean => {
    if (seen.has(apiType.name)) return true;
    seen.add(apiType.name);
    const own = candidate.schema.getType(apiType.name);
    if (!own || own.constructor !== apiType.constructor) return false;
    if (isAbstractType(apiType) && isAbstractType(own)) {
      if (sortedNames(api.getPossibleTypes(apiType)) !== sortedNames(candidate.schema.getPossibleTypes(own)))
        return false;
    }
    if ((isObjectType(apiType) || isInterfaceType(apiType)) && (isObjectType(own) || isInterfaceType(own))) {
      if (sortedNames(apiType.getInterfaces()) !== sortedNames(own.getInterfaces())) return false;
    }
    if (isEnumType(apiType) && isEnumType(own))
      return sortedNames(apiType.getValues()) === sortedNames(own.getValues());
    if (isInputObjectType(apiType) && isInputObjectType(own)) {
      const fields = Object.values(apiType.getFields());
      const ownFields = own.getFields();
      if (sortedNames(fields) !== sortedNames(Object.values(ownFields))) return false;
      return fields.every(
        (f) => String(f.type) === String(ownFields[f.name].type) && sameType(candidate, getNamedType(f.type), seen),
      );
    }
    return true;
  };

  const answersAlone = (candidate: Candidate, document: DocumentNode): boolean => {
    if (validate(candidate.schema, document).length) return false;
    const typeInfo = new TypeInfo(api);
    const seen = new Set<string>();
    let exact = true;
    const check = (type: GraphQLNamedType | null | undefined) => {
      if (exact && type && !sameType(candidate, type, seen)) exact = false;
    };
    visit(
      document,
      visitWithTypeInfo(typeInfo, {
        Directive(node) {
          if (!ALLOWED_DIRECTIVES.has(node.name.value)) exact = false;
        },
        VariableDefinition(node) {
          check(getNamedType(typeFromAST(api, node.type as never)));
        },
        Argument() {
          const arg = typeInfo.getArgument();
          if (arg) check(getNamedType(arg.type));
        },
        InlineFragment() {
          check(typeInfo.getType() && getNamedType(typeInfo.getType()!));
        },
        FragmentDefinition() {
          check(typeInfo.getType() && getNamedType(typeInfo.getType()!));
        },
        Field(node) {
          const parent = typeInfo.getParentType();
          const def = typeInfo.getFieldDef();
          if (!parent || !def) return;
          check(parent);
          if (node.name.value === '__typename') return;
          const ownParent = candidate.schema.getType(parent.name);
          const ownField =
            ownParent && (isObjectType(ownParent) || isInterfaceType(ownParent))
              ? ownParent.getFields()[node.name.value]
              : undefined;
          if (!ownField || String(ownField.type) !== String(def.type)) exact = false;
          const resolvers = isAbstractType(parent) ? api.getPossibleTypes(parent) : [parent];
          if (!ownsField(candidate, parent.name, node.name.value)) exact = false;
          for (const type of resolvers) if (!ownsField(candidate, type.name, node.name.value)) exact = false;
          check(getNamedType(def.type));
        },
      }),
    );
    return exact;
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
    const able = candidates.filter((candidate) => answersAlone(candidate, document));
    return able.length === 1
      ? { subgraph: able[0].name, mutation: operations[0].operation === OperationTypeNode.MUTATION }
      : null;
  };
}
