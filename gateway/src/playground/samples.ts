import { Kind, parse, type OperationDefinitionNode } from 'graphql';

/*
 * The playground opens with the README's sample operations: one tab per
 * ```graphql block, its comments kept. A block holds several operations, and
 * GraphiQL runs one of several only by name, so each anonymous operation is
 * named after its first field (`{ home … }` becomes `query Home { home … }`).
 */

export interface SampleTab {
  query: string;
  variables?: string;
}

const capitalized = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/** A block's text with every anonymous operation named, names unique within the block. */
export function namedOperations(block: string): string {
  const document = parse(block);
  const taken = new Set(
    document.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : [])),
  );
  const insertions: [number, string][] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION || definition.name) continue;
    const name = uniqueName(definition, taken);
    const start = definition.loc!.start;
    // `{ … }` is a query in shorthand; `mutation { … }` and `mutation($id: ID!) { … }` take the name after the keyword.
    insertions.push(
      block[start] === '{' ? [start, `query ${name} `] : [start + definition.operation.length, ` ${name}`],
    );
  }
  let text = block;
  for (const [at, words] of insertions.reverse()) text = text.slice(0, at) + words + text.slice(at);
  return text;
}

function uniqueName(operation: OperationDefinitionNode, taken: Set<string>): string {
  const first = operation.selectionSet.selections[0];
  const base = capitalized(first.kind === Kind.FIELD ? first.name.value : operation.operation);
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}${n}`;
  taken.add(name);
  return name;
}

/** The README's ```graphql blocks, each a tab. */
export function readmeTabs(readme: string): SampleTab[] {
  return [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => ({ query: namedOperations(m[1]).trimEnd() }));
}
