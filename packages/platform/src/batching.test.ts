import { batchedWrites } from './batching';

/** A write that records each batch it was given and answers when `finish` is called (or at once). */
function recordingWrite(options: { held?: boolean; failOn?: string } = {}) {
  const batches: string[][] = [];
  const held: (() => void)[] = [];
  const write = (inputs: readonly string[]) =>
    new Promise<string[]>((resolve, reject) => {
      batches.push([...inputs]);
      const answer = () =>
        options.failOn && inputs.includes(options.failOn)
          ? reject(new Error(`refused ${options.failOn}`))
          : resolve(inputs.map((i) => `wrote ${i}`));
      if (options.held) held.push(answer);
      else answer();
    });
  return { write, batches, finishAll: () => held.splice(0).forEach((finish) => finish()) };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('batchedWrites', () => {
  it('writes the calls of one turn together, each answered with its own output', async () => {
    const { write, batches } = recordingWrite();
    const place = batchedWrites(write);
    await expect(Promise.all(['a', 'b', 'c'].map(place))).resolves.toEqual(['wrote a', 'wrote b', 'wrote c']);
    expect(batches).toEqual([['a', 'b', 'c']]);
  });

  it('sends a lone call at once, and holds every later call while inFlight batches run, then sends them together', async () => {
    const { write, batches, finishAll } = recordingWrite({ held: true });
    const place = batchedWrites(write, { inFlight: 1 });
    const first = place('a');
    await turn();
    expect(batches).toEqual([['a']]);
    const later = [place('b'), place('c')];
    await turn();
    later.push(place('d'));
    await turn();
    expect(batches).toEqual([['a']]);
    finishAll();
    await expect(first).resolves.toBe('wrote a');
    await turn();
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
    finishAll();
    await expect(Promise.all(later)).resolves.toEqual(['wrote b', 'wrote c', 'wrote d']);
    const next = place('e');
    await turn();
    expect(batches).toEqual([['a'], ['b', 'c', 'd'], ['e']]);
    finishAll();
    await expect(next).resolves.toBe('wrote e');
  });

  it('keeps batches to maxBatch inputs', async () => {
    const { write, batches } = recordingWrite();
    const place = batchedWrites(write, { maxBatch: 2 });
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map(place));
    expect(batches).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('writes a failed batch again one input at a time: only the failing input fails', async () => {
    const { write, batches } = recordingWrite({ failOn: 'b' });
    const place = batchedWrites(write);
    const answers = await Promise.allSettled(['a', 'b', 'c'].map(place));
    expect(answers).toEqual([
      { status: 'fulfilled', value: 'wrote a' },
      { status: 'rejected', reason: new Error('refused b') },
      { status: 'fulfilled', value: 'wrote c' },
    ]);
    expect(batches).toEqual([['a', 'b', 'c'], ['a'], ['b'], ['c']]);
  });

  it('with retryAlone false, fails every input of a failed batch and never sends it again', async () => {
    const { write, batches } = recordingWrite({ failOn: 'b' });
    const send = batchedWrites(write, { retryAlone: false });
    const answers = await Promise.allSettled(['a', 'b', 'c'].map(send));
    expect(answers).toEqual(['a', 'b', 'c'].map(() => ({ status: 'rejected', reason: new Error('refused b') })));
    expect(batches).toEqual([['a', 'b', 'c']]);
  });
});
