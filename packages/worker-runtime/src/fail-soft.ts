import type { Logger } from '@ragmesh/telemetry';

/**
 * For calls to a cache the service works without (Redis): `softly(work, fallback)` answers
 * `fallback` when the call fails, so a cache outage costs only the caching; the failure is logged
 * as `message` at most once a minute, not once per call.
 */
export function createFailSoft(options: { logger?: Logger; message: string; fields?: Record<string, unknown> }) {
  let lastWarned = 0;
  return async function softly<T>(work: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (Date.now() - lastWarned > 60_000) {
        lastWarned = Date.now();
        options.logger?.warn(options.message, { ...options.fields, error: String(error) });
      }
      return fallback;
    }
  };
}
