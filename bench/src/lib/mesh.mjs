// The real mesh for the benchmark: indexer + chunk-embed started from their built dist/main.js
// against the local stack (like tests/e2e/src/mesh-harness.ts), fed by publishing Avro
// DocumentEvents straight to documents.ingest, observed through Postgres and /metrics.
import { execFileSync, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSerde, topics } from '@ragmesh/contracts';
import { withTenant } from '@ragmesh/store';
import { stackEnv } from '@ragmesh/testkit';
import { Kafka, logLevel } from 'kafkajs';

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

const children = new Set();
/** SIGKILLs every service this process started (on a crash of the benchmark itself). */
export function killAll() {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * Starts `services/<name>/dist/main.js` with `env` on a free metrics port and waits for /readyz.
 * stdout/stderr go to `logFile` (and the last lines are kept for error messages).
 */
export async function startService(repoRoot, name, env, logFile) {
  const main = join(repoRoot, `services/${name}/dist/main.js`);
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`pnpm -s build\` (make bench builds first)`);
  const port = await freePort();
  // The gateway serves /readyz on its HTTP port; the workers on their metrics port.
  const ports = name === 'gateway' ? { GATEWAY_PORT: String(port), GATEWAY_HOST: '127.0.0.1' } : { METRICS_PORT: String(port), METRICS_HOST: '127.0.0.1' };
  const child = fork(main, [], {
    cwd: repoRoot,
    env: { ...process.env, ...env, ...ports },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const logs = [];
  let file = null;
  if (logFile) {
    mkdirSync(dirname(logFile), { recursive: true });
    file = createWriteStream(logFile, { flags: 'a' });
  }
  const keep = (chunk) => {
    file?.write(chunk);
    logs.push(chunk.toString());
    if (logs.length > 300) logs.shift();
  };
  child.once('exit', (code, signal) => {
    file?.end(`\n[bench] ${name} exited with code ${code} signal ${signal}\n`);
  });
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${logs.join('').slice(-4000)}`);
    const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} not ready after 180 s:\n${logs.join('').slice(-4000)}`);
    }
    await sleep(200);
  }
  return { name, url, child, logs, pid: child.pid };
}

/** SIGTERM, then the exit code (SIGKILL after 60 s). */
export async function stopService(service) {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return service.child.exitCode;
  const exited = new Promise((resolve) => service.child.once('exit', (code) => resolve(code)));
  service.child.kill('SIGTERM');
  const timer = sleep(60_000).then(() => service.child.kill('SIGKILL'));
  const code = await exited;
  void timer;
  return code;
}

/** The /metrics page of a service, retried briefly; names the service's exit when it is gone. */
async function scrape(service) {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(`${service.url}/metrics`);
      if (response.ok) return await response.text();
      throw new Error(`HTTP ${response.status}`);
    } catch (error) {
      if (service.child.exitCode !== null || service.child.signalCode !== null) {
        throw new Error(`${service.name} (pid ${service.pid}) exited with code ${service.child.exitCode} signal ${service.child.signalCode}:\n${service.logs.join('').slice(-4000)}`);
      }
      if (attempt >= 5) throw new Error(`${service.name} /metrics: ${error.message}`, { cause: error });
      await sleep(300);
    }
  }
}

/** Sum of a Prometheus counter/gauge over the series matching `labels` in a scraped page. */
export function metricValue(text, name, labels = {}) {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** The chunk-embed counters the benchmark reads. */
export async function chunkEmbedCounters(service) {
  const text = await scrape(service);
  return {
    modelTexts: metricValue(text, 'ragmesh_embeddings_total', { source: 'model' }),
    cacheTexts: metricValue(text, 'ragmesh_embeddings_total', { source: 'cache' }),
    modelCalls: metricValue(text, 'ragmesh_embedding_model_calls_total'),
    skipped: metricValue(text, 'ragmesh_documents_total', { outcome: 'skipped_unchanged' }),
    otherModel: metricValue(text, 'ragmesh_documents_total', { outcome: 'skipped_other_model' }),
    messages: metricValue(text, 'ragmesh_consumer_messages_total'),
    deadLettered: metricValue(text, 'ragmesh_dlq_messages_total'),
    retries: metricValue(text, 'ragmesh_consumer_retries_total'),
  };
}

export function benchKafka(brokers) {
  return new Kafka({ clientId: 'ragmesh-bench', brokers, logLevel: logLevel.NOTHING });
}

/**
 * The broker the benchmark uses. `private`: deploy/local/kafka.sh with RAGMESH_STATE_DIR=bench/.state
 * on its own ports, topics created by the CLI. The stack's documents.ingest is shared with
 * everyone's tests: their workers would consume the benchmark's events (and the benchmark's
 * workers theirs), and every fresh e2e consumer group would replay the benchmark's events.
 */
export function ensureKafka({ mode, port, repoRoot, benchDir }) {
  if (mode === 'shared') return { mode, brokers: stackEnv().brokers, stateDir: join(repoRoot, '.state'), stop() {} };
  const stateDir = join(benchDir, '.state');
  const env = { ...process.env, RAGMESH_STATE_DIR: stateDir, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(port + 1) };
  const script = join(repoRoot, 'deploy/local/kafka.sh');
  execFileSync(script, ['up'], { env, stdio: 'inherit' });
  const brokers = [`127.0.0.1:${port}`];
  execFileSync(process.execPath, [join(repoRoot, 'services/cli/dist/main.js'), 'topics', 'ensure', '--wait', '60'], {
    env: { ...process.env, KAFKA_BROKERS: brokers.join(','), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { mode, brokers, stateDir, stop: () => execFileSync(script, ['down'], { env, stdio: 'inherit' }) };
}

/**
 * Commits `groupId`'s offsets at the current end of `topic` before any member exists, so a fresh
 * group starts with no backlog (the workers subscribe fromBeginning when a group has no offsets).
 */
export async function startGroupAtEnd(kafka, groupId, topic) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({ groupId, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
    return ends.reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Total lag of `groupId` on `topic` (end offsets minus committed). */
export async function groupLag(admin, groupId, topic) {
  const ends = await admin.fetchTopicOffsets(topic);
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  let lag = 0;
  for (const end of ends) {
    const at = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1');
    lag += Number(end.high) - (at < 0 ? Number(end.low) : at);
  }
  return lag;
}

/** Consumer groups other than `ours` that are active (Stable, with members) and look like chunk-embed workers. */
export async function otherActiveWorkers(admin, ours) {
  const { groups } = await admin.listGroups();
  const candidates = groups.map((g) => g.groupId).filter((id) => !ours.includes(id) && /chunk-embed|indexer/.test(id));
  if (candidates.length === 0) return [];
  const { groups: described } = await admin.describeGroups(candidates);
  return described.filter((g) => g.state === 'Stable' && g.members.length > 0).map((g) => g.groupId);
}

/** A producer for documents.ingest with the Confluent-framed Avro serde. */
export async function createDocumentPublisher(kafka) {
  const serde = createSerde({ registryUrl: stackEnv().registryUrl, topics: [topics.documentsIngest] });
  await serde.register();
  // Not idempotent, so the sends below can be in flight together; a retried send could reorder
  // or duplicate a record, which the mesh absorbs (versions, idempotent upserts).
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false });
  await producer.connect();
  return {
    /**
     * Publishes one UPSERT per doc (key `tenant:docId`, version = `sourceTime`) as sends of 500,
     * all in flight at once, as a bulk upstream producer would (one after the other took 0.36-0.45
     * s for SciFact's 5,183 documents, concurrently 0.26 s; 0.07 s of either is Avro encoding).
     * `embeddingModel` pins the model, so workers configured with another model skip the events.
     */
    async publish(tenant, docs, sourceTime, embeddingModel = null) {
      const sends = [];
      for (let i = 0; i < docs.length; i += 500) {
        const messages = docs.slice(i, i + 500).map((doc) => {
          const event = {
            eventId: randomUUID(), op: 'UPSERT', tenant, documentId: doc.id, uri: `scifact:${doc.id}`, title: doc.title || null,
            content: doc.text, contentType: 'text/plain', metadata: { source: 'beir-scifact' }, contentHash: null, chunking: 'default',
            embeddingModel, sourceTime,
          };
          return { key: `${tenant}:${doc.id}`, value: serde.encode(topics.documentsIngest, event) };
        });
        sends.push(producer.send({ topic: topics.documentsIngest, messages, acks: -1 }));
      }
      await Promise.all(sends);
    },
    close: () => producer.disconnect(),
  };
}

/**
 * Documents of `tenant` at `version` (all, or those in `ids`): how many are indexed by `modelId`,
 * how many by another model (someone else's mesh consumed the events), failed, last indexed_at.
 */
export async function versionProgress(pool, { tenant, version, modelId, ids = null }) {
  return withTenant(pool, tenant, async (client) => {
    const { rows } = await client.query(
      `SELECT count(*) FILTER (WHERE status = 'indexed' AND active_version = $1 AND model_id = $3)::int AS indexed,
              count(*) FILTER (WHERE status = 'indexed' AND model_id <> $3)::int AS other_model,
              count(*) FILTER (WHERE status = 'failed')::int AS failed,
              (extract(epoch FROM max(indexed_at) FILTER (WHERE active_version = $1)) * 1000)::float8 AS last_ms
         FROM ragmesh.documents WHERE ($2::text[] IS NULL OR document_id = ANY($2))`,
      [version, ids, modelId],
    );
    return rows[0];
  });
}

/** Chunk rows and documents of a tenant in the store. */
export async function storeCounts(pool, tenant) {
  return withTenant(pool, tenant, async (client) => {
    const { rows } = await client.query(
      `SELECT (SELECT count(*)::int FROM ragmesh.chunks) AS chunks,
              (SELECT count(*)::int FROM ragmesh.documents WHERE status = 'indexed') AS documents,
              (SELECT coalesce(sum(chunk_count), 0)::int FROM ragmesh.documents WHERE status = 'indexed') AS manifest_chunks`,
    );
    return rows[0];
  });
}

/**
 * Polls until `expected` documents are indexed at `version`; fails fast on failed documents
 * and when nothing moved for `stallSeconds`. Prints progress every 10 s.
 */
export async function waitIndexed(pool, { tenant, version, modelId, expected, ids = null, stallSeconds, label, onTick }) {
  let last = -1;
  let lastMove = Date.now();
  let lastPrint = Date.now();
  for (;;) {
    const p = await versionProgress(pool, { tenant, version, modelId, ids });
    if (p.failed > 0) throw new Error(`${label}: ${p.failed} documents failed in the mesh (see the chunk-embed/indexer logs)`);
    if (p.other_model > 0) throw new Error(`${label}: ${p.other_model} documents were indexed under another model than ${modelId}: another mesh is consuming documents.ingest`);
    if (p.indexed >= expected) return p;
    if (p.indexed !== last) {
      last = p.indexed;
      lastMove = Date.now();
    } else if (Date.now() - lastMove > stallSeconds * 1000) {
      throw new Error(`${label}: stalled at ${p.indexed}/${expected} documents for ${stallSeconds} s`);
    }
    if (Date.now() - lastPrint > 10_000) {
      lastPrint = Date.now();
      console.log(`  ${label}: ${p.indexed}/${expected} documents indexed`);
      if (onTick) await onTick();
    }
    await sleep(200);
  }
}

/** Deletes the embedding-cache entries of one model (`ragmesh:emb:<modelId>@*`) by SCAN + UNLINK. */
export async function flushEmbeddingCache(redis, modelId) {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `ragmesh:emb:${modelId}@*`, 'COUNT', 2000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
