import type { CodegenConfig } from '@graphql-codegen/cli';

/*
 * Every subgraph's resolver types, generated from its schema.graphql by
 * GraphQL Code Generator into src/generated/graphql.ts (not checked in: the
 * build makes it). `mappers` names the type each GraphQL type's resolvers
 * receive as their parent: a Prisma row, a query-model document, a reference.
 */
export function subgraphCodegen(mappers: Record<string, string>): CodegenConfig {
  return {
    schema: 'schema.graphql',
    generates: {
      'src/generated/graphql.ts': {
        plugins: ['typescript', 'typescript-resolvers'],
        config: {
          federation: true,
          useTypeImports: true,
          enumsAsTypes: true,
          contextType: '../db#Context',
          // Imported mapper types get this suffix, so a Prisma row named like its GraphQL type does not clash.
          mapperTypeSuffix: 'Model',
          mappers: Object.fromEntries(
            Object.entries(mappers).map(([type, target]) => [type, target.startsWith('./') ? `.${target}` : target]),
          ),
          scalars: { DateTime: { input: 'Date', output: 'Date | string' } },
          resolverTypeWrapperSignature: 'Promise<T> | T',
        },
      },
    },
  };
}
