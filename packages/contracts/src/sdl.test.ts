import fs from 'node:fs';
import path from 'node:path';
import { Kind, parse, type EnumTypeDefinitionNode } from 'graphql';
import { ROLES } from '@baedal/platform';
import { AD_PRODUCTS, CATEGORIES, DELIVERY_AREAS, ORDER_STATUSES } from './index';

/*
 * Subgraphs repeat the shared enums in their own SDL (federation composes
 * them); each copy must list exactly the contract's values, in its order.
 */

const SUBGRAPHS = path.resolve(__dirname, '..', '..', '..', 'subgraphs');
const CONTRACT_ENUMS: Record<string, readonly string[]> = {
  Category: CATEGORIES,
  DeliveryArea: DELIVERY_AREAS,
  AdProduct: AD_PRODUCTS,
  OrderStatus: ORDER_STATUSES,
  Role: ROLES,
};

const copies = fs.readdirSync(SUBGRAPHS).flatMap((subgraph) => {
  const sdl = parse(fs.readFileSync(path.join(SUBGRAPHS, subgraph, 'schema.graphql'), 'utf8'));
  return sdl.definitions
    .filter((d): d is EnumTypeDefinitionNode => d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value in CONTRACT_ENUMS)
    .map((d) => ({ subgraph, name: d.name.value, values: (d.values ?? []).map((v) => v.name.value) }));
});

describe("the subgraphs' copies of the shared enums", () => {
  it('exist for every shared enum', () => {
    expect(new Set(copies.map((c) => c.name))).toEqual(new Set(Object.keys(CONTRACT_ENUMS)));
  });

  it.each(copies.map((c) => [`${c.subgraph}'s ${c.name}`, c] as const))('%s lists the contract values', (_, copy) => {
    expect(copy.values).toEqual([...CONTRACT_ENUMS[copy.name]]);
  });
});
