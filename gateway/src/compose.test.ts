import fs from 'node:fs';
import { composeSupergraph, SUPERGRAPH_PATH } from './compose';

describe('supergraph', () => {
  it('composes without errors', () => {
    const result = composeSupergraph();
    expect('errors' in result ? result.errors : []).toEqual([]);
  });

  it('is checked in up to date (run `npm run compose` after changing a schema.graphql)', () => {
    const result = composeSupergraph();
    if ('errors' in result) throw new Error(result.errors.join('\n'));
    expect(fs.readFileSync(SUPERGRAPH_PATH, 'utf8')).toBe(result.supergraphSdl);
  });
});
