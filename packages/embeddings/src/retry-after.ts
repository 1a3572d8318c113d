const NUMBER = /^\d+(\.\d+)?$/;

/**
 * The delay a 429/503 answer asks for, in ms: OpenAI's `retry-after-ms`, else `Retry-After` as
 * delta-seconds or an HTTP date (RFC 9110 §10.2.3). Undefined when absent or unreadable; a date
 * in the past gives 0.
 */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms')?.trim();
  if (ms && NUMBER.test(ms)) return Math.ceil(Number(ms));
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (NUMBER.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/**
 * Delay before retry number `retry` (1-based): exponential, capped, with half "full jitter" so
 * many clients backing off from the same server do not come back in lockstep.
 */
export function backoffDelay(retry: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
