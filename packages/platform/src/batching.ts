import DataLoader from 'dataloader';

export interface BatchingOptions {
  /** Batches in flight at once; later calls wait and go together in the next one. */
  inFlight?: number;
  /** Most inputs in one batch. */
  maxBatch?: number;
  /**
   * What a failed batch does: written again one input at a time (the default),
   * or failed as a whole, for a batch that must never be sent twice (the
   * gateway's commands: a subgraph may have run them before the failure).
   */
  retryAlone?: boolean;
}

/**
 * A command's writes, many customers' at once: calls made in the same turn of
 * the event loop, or while `inFlight` batches are already running, go to
 * `write` together (one statement for all, each still answered on its own).
 * An idle service sends each call at once, so batching adds no wait; under
 * load batches grow, and each statement's fixed price (a round trip, a
 * commit, waking both ends) is paid once per batch rather than per customer.
 * A batch that fails is written again one input at a time, so an input's
 * failure (a repeated key, a bad value) is its own and the others go through;
 * `write` must therefore be one statement, all or nothing; with `retryAlone`
 * false every input of a failed batch fails with its error instead.
 */
export function batchedWrites<I, O>(
  write: (inputs: readonly I[]) => Promise<O[]>,
  { inFlight = 2, maxBatch = 32, retryAlone = true }: BatchingOptions = {},
): (input: I) => Promise<O> {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  const writeAll = async (inputs: readonly I[]): Promise<(O | Error)[]> => {
    running++;
    try {
      return await write(inputs);
    } catch (error) {
      if (inputs.length === 1 || !retryAlone) return inputs.map(() => error as Error);
      return Promise.all(
        inputs.map((input) =>
          write([input]).then(
            ([output]) => output,
            (alone: Error) => alone,
          ),
        ),
      );
    } finally {
      release();
    }
  };
  const loader = new DataLoader<I, O>(writeAll, {
    cache: false,
    maxBatchSize: maxBatch,
    // Gathers this turn's calls (setImmediate runs after the I/O callbacks that made them), and waits for a free slot.
    batchScheduleFn: (dispatch) => setImmediate(() => (running < inFlight ? dispatch() : waiting.push(dispatch))),
  });
  return (input) => loader.load(input);
}
