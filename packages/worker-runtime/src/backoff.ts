export interface BackoffOptions {
  /** Attempts in total, including the first. */
  attempts: number;
  initialMs: number;
  maxMs: number;
}

export const defaultBackoff: BackoffOptions = { attempts: 5, initialMs: 200, maxMs: 10_000 };

/**
 * Delay before retry number `retry` (1-based): exponential with "full jitter", so many workers
 * retrying the same dependency do not retry in lockstep. `random` is injectable for tests.
 */
export function backoffDelay(retry: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
