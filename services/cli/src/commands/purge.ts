import { kafkaClientOptions } from '@ragmesh/config';
import { entityKey, topics } from '@ragmesh/contracts';
import { withTenant } from '@ragmesh/store';
import type { Logger } from '@ragmesh/telemetry';
import { createKafka, createProducer } from '@ragmesh/worker-runtime';
import { Redis } from 'ioredis';
import type { CliConfig } from '../config.js';
import { cliActor, withPool } from './tenants.js';

/** Tables under row-level security, emptied as the tenant; the others are keyed by tenant_id. */
const tenantTables = ['chunks', 'staged_parts', 'documents', 'corpus_versions', 'pii_tokens'];
const keyedTables = ['tenant_generations', 'api_keys', 'tenant_limits', 'tenant_policies'];

export interface PurgeReport {
  tombstones: number;
  rows: Record<string, number>;
  redisKeys: number;
}

/**
 * Erases a tenant: its keys stop working first, then every document key of the compacted
 * documents.ingest gets a tombstone (compaction drops the records within max.compaction.lag.ms,
 * 7 days, and the tombstones delete.retention.ms later), then its Postgres rows (chunks,
 * documents, generations, the PII map, keys, limits, policy) and its Redis entries go. The audit
 * log keeps its entries and records the purge.
 */
export async function purgeTenant(config: CliConfig, tenant: string, options: { logger: Logger }): Promise<PurgeReport> {
  return withPool(config, async (pool) => {
    await pool.query('UPDATE ragmesh.api_keys SET revoked_at = now() WHERE tenant_id = $1 AND revoked_at IS NULL', [tenant]);
    const { rows: ids } = await withTenant(pool, tenant, (c) => c.query<{ document_id: string }>('SELECT DISTINCT document_id FROM ragmesh.documents'));

    const kafka = createKafka({ ...kafkaClientOptions(config, 'ragmesh-cli'), logger: options.logger });
    const producer = await createProducer(kafka);
    try {
      for (let i = 0; i < ids.length; i += 500) {
        await producer.send({ topic: topics.documentsIngest, messages: ids.slice(i, i + 500).map((r) => ({ key: entityKey(tenant, r.document_id), value: null })) });
      }
    } finally {
      await producer.disconnect();
    }

    const rows: Record<string, number> = {};
    await withTenant(pool, tenant, async (client) => {
      for (const table of tenantTables) rows[table] = (await client.query(`DELETE FROM ragmesh.${table}`)).rowCount ?? 0;
      for (const table of keyedTables) rows[table] = (await client.query(`DELETE FROM ragmesh.${table} WHERE tenant_id = $1`, [tenant])).rowCount ?? 0;
      await client.query('INSERT INTO ragmesh.audit_log (actor, tenant_id, action, details) VALUES ($1, $2, $3, $4)', [cliActor(), tenant, 'tenant.purge', { documents: ids.length, rows }]);
    });

    // Result caches, the workers' last published hashes and rate-limit counters name the tenant; vectors cached by
    // text hash name no one and expire by themselves.
    const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
    let redisKeys = 0;
    try {
      const literal = tenant.replace(/[*?[\]\\]/g, '\\$&'); // glob characters in a tenant id match only themselves
      for (const pattern of [`ragmesh:result:${literal}:*`, `ragmesh:doc-hash:*:${literal}:*`, `ragmesh:rl:*:${literal}`]) {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          cursor = next;
          if (keys.length > 0) redisKeys += await redis.del(...keys);
        } while (cursor !== '0');
      }
    } finally {
      redis.disconnect();
    }
    return { tombstones: ids.length, rows, redisKeys };
  });
}
