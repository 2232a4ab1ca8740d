import { FIXTURES } from './support/federationFixtures';
import { post, shortcutAnswers, startBaedalGateway, startFixture, type Running } from './support/fixtureGateways';
import { gatewayMetrics } from './support/graphql';
import { startPlainGateway } from './support/plainGateway';
import { deleteRedisKeys } from './support/stack';

/*
 * The differential test of the single-subgraph shortcut: for each fixture
 * supergraph (test/support/federationFixtures.ts), its small subgraphs are
 * started, Baedal's real gateway process is started over that supergraph, and
 * so is a plain @apollo/gateway (the standard path); every query and command is
 * sent to both and the answers compared after JSON normalization. The
 * shortcut must take exactly the queries marked for it (read from the
 * gateway's metrics), so the comparison exercises it, and decline the rest.
 */

const PREFIX = `baedal_t_shortcut_${process.pid}`;
// The fixture subgraphs run in this process: only their warnings are wanted.
process.env.BAEDAL_LOG_LEVEL ??= 'warn';

/** Parsed and normalized: object keys sorted; errors reduced to what both gateways promise (message, path, code). */
function normalized(text: string, gateway: string): unknown {
  const answer = JSON.parse(text.replaceAll(`${gateway}:`, 'GATEWAY:')) as {
    data?: unknown;
    errors?: { message: string; path?: unknown; extensions?: { code?: unknown } }[];
  };
  const sort = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(sort)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, v]) => [k, sort(v)]),
          )
        : value;
  return sort({
    data: answer.data,
    errors: answer.errors?.map((e) => ({ message: e.message, path: e.path, code: e.extensions?.code })),
  });
}

describe.each(FIXTURES.map((f) => [f.name, f] as const))(
  'the shortcut answers as @apollo/gateway: %s',
  (_, fixture) => {
    const running: Running[] = [];
    let baedal: string;
    let plain: string;

    beforeAll(async () => {
      const started = await startFixture(fixture);
      running.push(...started.running);
      const gateways = await Promise.all([
        startBaedalGateway(started.supergraphPath, `${PREFIX}_${fixture.subgraphs[0].name}`),
        startPlainGateway(started.supergraphSdl),
      ]);
      running.push(...gateways);
      [baedal, plain] = gateways.map((g) => g.url);
    }, 60_000);

    afterAll(async () => {
      for (const r of running.reverse()) await r.stop();
      await deleteRedisKeys(`${PREFIX}_${fixture.subgraphs[0].name}`);
    });

    it.each(fixture.queries.map((q) => [q.query, q] as const))('%s', async (_, query) => {
      const before = await shortcutAnswers(baedal);
      const ours = await post(baedal, query, 'baedal');
      const shortcut = (await shortcutAnswers(baedal)) > before;
      const theirs = await post(plain, query, 'plain');
      expect(normalized(ours, 'baedal')).toEqual(normalized(theirs, 'plain'));
      expect(shortcut).toBe(query.shortcut);
    });

    if (fixture.commands?.length) {
      it('commands, one by one: the same answers and errors, each sent once', async () => {
        for (const command of fixture.commands!) {
          const before = await shortcutAnswers(baedal);
          const ours = await post(baedal, command, 'baedal');
          expect([command.query, (await shortcutAnswers(baedal)) > before]).toEqual([command.query, command.shortcut]);
          const theirs = await post(plain, command, 'plain');
          expect([command.query, normalized(ours, 'baedal')]).toEqual([command.query, normalized(theirs, 'plain')]);
        }
      });

      it('commands arriving together (gathered into one request): the same answers', async () => {
        const batch = Array.from({ length: 12 }, (_, i) => fixture.commands![i % fixture.commands!.length]).map(
          (c, i) => ({
            ...c,
            variables: { id: `GATEWAY:g${i}${String(c.variables?.id).endsWith('missing') ? 'missing' : ''}` },
          }),
        );
        const ours = await Promise.all(batch.map((c) => post(baedal, c, 'baedal')));
        const theirs = await Promise.all(batch.map((c) => post(plain, c, 'plain')));
        expect(ours.map((t) => normalized(t, 'baedal'))).toEqual(theirs.map((t) => normalized(t, 'plain')));
        // Some went together: more commands than requests to the subgraph.
        const metrics = await gatewayMetrics(baedal);
        const read = (what: string) =>
          Number(
            new RegExp(`baedal_gathered_commands_${what}\\{subgraph="counters"\\} (\\d+)`).exec(metrics)?.[1] ?? 0,
          );
        expect(read('sum')).toBeGreaterThan(read('count'));
      });
    }
  },
);
