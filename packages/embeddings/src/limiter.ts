/** Runs `task` once a slot is free; see createLimiter. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * Bounds how many tasks run at once (a counting semaphore, FIFO). Used to cap requests in flight
 * to a remote embedding server and to queue ONNX runs, which already use every core each.
 */
export function createLimiter(concurrency: number): Limiter {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be >= 1, got ${concurrency}`);
  let active = 0;
  const waiting: (() => void)[] = [];
  // A finishing task hands its slot straight to the next waiter, so a caller arriving meanwhile
  // cannot take it too.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active < concurrency) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      release();
    }
  };
}
