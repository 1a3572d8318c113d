import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';

// kafkajs 2.2.4 as patched in patches/kafkajs@2.2.4.patch. Unpatched, every connection's request
// queue re-arms a 1 ms timer forever once it has answered a request, and an idle service wakes
// ~800 times a second. This fails if an upgrade or a reinstall drops the patch.
const require = createRequire(import.meta.url);
type Queue = {
  pending: unknown[];
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  maybeThrottle(ms: number): void;
  destroy(): void;
};
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as new (options: object) => Queue;
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('kafkajs request queue (patched)', () => {
  let queue: Queue;
  const create = () => (queue = new RequestQueue({ maxInFlightRequests: null, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'test', broker: 'b:9092', logger: quiet }));
  afterEach(() => queue.destroy());

  it('arms no timer when nothing is pending and nothing throttles', () => {
    create().checkPendingRequests();
    expect(queue.throttleCheckTimeoutId).toBeNull();
  });

  it('still looks again later for a request that waits out a throttle', () => {
    create().maybeThrottle(50);
    queue.pending.push({ correlationId: 1 });
    queue.checkPendingRequests();
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
  });
});
