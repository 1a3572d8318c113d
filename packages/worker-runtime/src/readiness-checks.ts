import type { Admin } from 'kafkajs';
import type { ReadinessCheck } from './health-server.js';

/** Kafka answers a metadata request. */
export function kafkaReady(admin: Admin): ReadinessCheck {
  return async () => {
    await admin.describeCluster();
  };
}

/** The schema registry answers its subjects list. */
export function registryReady(registryUrl: string): ReadinessCheck {
  return async () => {
    const response = await fetch(`${registryUrl}/subjects`, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) throw new Error(`registry answered ${response.status}`);
  };
}

/** A SQL round trip works (pg.Pool or anything with `query`). */
export function postgresReady(pool: { query: (sql: string) => Promise<unknown> }): ReadinessCheck {
  return async () => {
    await pool.query('SELECT 1');
  };
}

/** Redis answers PING. */
export function redisReady(redis: { ping: () => Promise<string> }): ReadinessCheck {
  return async () => {
    const reply = await redis.ping();
    if (reply !== 'PONG') throw new Error(`redis answered ${reply}`);
  };
}
