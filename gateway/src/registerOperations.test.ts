import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SUPERGRAPH_PATH } from './compose';
import { TRUSTED_DOCUMENTS_PATH } from './persistedOperations';
import { registerOperations } from './registerOperations';

const OPERATIONS = path.resolve(__dirname, '..', 'operations');

describe('registering operations', () => {
  it("the checked-in manifest holds exactly the apps' operations (npm run operations -- register)", () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'baedal-ops-')), 'manifest.json');
    for (const app of ['customer-app', 'owner-dashboard'])
      registerOperations(path.join(OPERATIONS, app), out, SUPERGRAPH_PATH);
    expect(fs.readFileSync(out, 'utf8')).toBe(fs.readFileSync(TRUSTED_DOCUMENTS_PATH, 'utf8'));
  });

  it('refuses a document the schema does not validate, or one with two operations, writing nothing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baedal-ops-'));
    const out = path.join(dir, 'manifest.json');
    fs.writeFileSync(path.join(dir, 'Bad.graphql'), 'query Bad { shops { nonsense } }');
    expect(() => registerOperations(dir, out, SUPERGRAPH_PATH)).toThrow(/Bad\.graphql: .*nonsense/);
    fs.writeFileSync(path.join(dir, 'Bad.graphql'), 'query A { __typename } query B { __typename }');
    expect(() => registerOperations(dir, out, SUPERGRAPH_PATH)).toThrow(/exactly one operation/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('keeps the operations other apps registered, and registers one text once', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baedal-ops-'));
    const out = path.join(dir, 'out', 'manifest.json');
    fs.mkdirSync(path.dirname(out));
    const [first, second] = ['first', 'second'].map(
      (name) => fs.mkdirSync(path.join(dir, name)) ?? path.join(dir, name),
    );
    fs.writeFileSync(path.join(first, 'A.graphql'), 'query A { __typename }');
    fs.writeFileSync(path.join(second, 'B.graphql'), 'query B { __typename }');
    registerOperations(first, out, SUPERGRAPH_PATH);
    registerOperations(second, out, SUPERGRAPH_PATH);
    registerOperations(first, out, SUPERGRAPH_PATH);
    const manifest = JSON.parse(fs.readFileSync(out, 'utf8')) as { operations: { name: string }[] };
    expect(manifest.operations.map((o) => o.name)).toEqual(['A', 'B']);
  });
});
