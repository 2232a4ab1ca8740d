import fs from 'node:fs';
import path from 'node:path';
import { Kind, parse } from 'graphql';
import { namedOperations, readmeTabs } from './samples';

describe("the playground's samples", () => {
  it('name each anonymous operation after its first field, uniquely, and keep the rest', () => {
    const block = [
      '# the main page',
      '{ home(area: GANGNAM) { categories { category } } }',
      'mutation { login(email: "a", password: "b") { token } }',
      'mutation($id: ID!) { acceptOrder(id: $id) { status } }',
      'mutation($id: ID!) { acceptOrder(id: $id) { id } }',
      'query Shop($id: ID!) { shop(id: $id) { name } }',
      '{ shop(id: "1") { name } }',
    ].join('\n');
    const named = namedOperations(block);
    expect(named).toContain('# the main page\nquery Home { home(area: GANGNAM)');
    expect(named).toContain('mutation Login { login(');
    expect(named).toContain('mutation AcceptOrder($id: ID!)');
    expect(named).toContain('mutation AcceptOrder2($id: ID!)');
    expect(named).toContain('query Shop2 { shop(id: "1")');
  });

  it('give one tab per README block, every operation named, none lost', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
    const tabs = readmeTabs(readme);
    expect(tabs).toHaveLength(blocks.length);
    tabs.forEach((tab, i) => {
      const operations = parse(tab.query).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
      expect(operations).toHaveLength(parse(blocks[i]).definitions.length);
      expect(operations.every((o) => o.name)).toBe(true);
    });
  });
});
