// `make bench-reindex`: a SciFact tenant indexed with all-MiniLM-L6-v2 is re-indexed into
// bge-small-en-v1.5 through the CLI (`reindex start`, `status --json`, `cutover`), on the real mesh
// against the benchmark's private stack. Measured in one run:
// - a bge-small first ingest of the same corpus (another tenant, its own Redis database so the
//   re-index finds no cached vectors): the re-index's documents/s against it (target >= 0.9);
// - single documents posted while the re-index runs: time until indexed, against idle (p50 <= 2x);
// - hybrid nDCG@10 through the gateway before and after the cutover (MiniLM ~0.72 -> bge >= 0.73).
// BENCH_DOCS=N takes the first N documents (0 = all 5,183); nDCG then counts only the test queries
// whose relevant documents are all among them.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApiKeyStore, createPool, migrate, withTenant } from '@ragmesh/store';
import { stackEnv } from '@ragmesh/testkit';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { loadScifactJudgements, ndcgAt10 } from './lib/corpus.mjs';
import { killAll, startService, stopService } from './lib/mesh.mjs';
import { benchDir, repoRoot } from './lib/settings.mjs';

const docsWanted = Number(process.env.BENCH_DOCS ?? '0');
const fromModel = process.env.BENCH_REINDEX_FROM ?? 'all-MiniLM-L6-v2';
const toModel = process.env.BENCH_REINDEX_TO ?? 'bge-small-en-v1.5';
const dataDir = process.env.SCIFACT_DIR ?? join(repoRoot, '../shared/datasets/beir/scifact');
const resultsDir = process.env.BENCH_RESULTS_DIR ?? join(benchDir, 'results');
const logDir = join(benchDir, '.state/logs');
const stack = stackEnv();
const run = randomUUID().slice(0, 8);

const readJsonl = (file) => readFileSync(join(dataDir, file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const all = readJsonl('corpus.jsonl');
const corpus = docsWanted > 0 ? all.slice(0, docsWanted) : all;
const inCorpus = new Set(corpus.map((d) => d._id));
const { queries: queryText, qrels } = loadScifactJudgements(dataDir);
const evalQueries = [...qrels].filter(([, rel]) => [...rel.keys()].every((d) => inCorpus.has(d)));

const pool = createPool({ connectionString: stack.databaseUrl, max: 3, applicationName: 'ragmesh-bench-reindex' });
await migrate(pool);
process.on('exit', killAll);

function meshEnv(model, redisDb) {
  const redis = new URL(stack.redisUrl);
  redis.pathname = `/${redisDb}`;
  return {
    KAFKA_BROKERS: stack.brokers.join(','), SCHEMA_REGISTRY_URL: stack.registryUrl, DATABASE_URL: stack.databaseUrl, REDIS_URL: redis.toString(),
    EMBEDDINGS_PROVIDER: 'local', EMBEDDINGS_MODEL: model, LOG_LEVEL: 'warn', KAFKAJS_NO_PARTITIONER_WARNING: '1',
    // The corpus is posted as fast as the gateway takes it: above a tenant's default budget.
    GATEWAY_QUERIES_PER_MINUTE: '1000000', GATEWAY_DOCUMENTS_PER_MINUTE: '10000000',
    CHUNK_EMBED_GROUP_ID: `bench-reindex-${run}-${model}-chunk-embed`, INDEXER_GROUP_ID: `bench-reindex-${run}-${model}-indexer`,
    RETRIEVER_GROUP_ID: `bench-reindex-${run}-retriever`, GATEWAY_REPLY_GROUP_ID: `bench-reindex-${run}-replies`,
  };
}

function cli(args, env) {
  return new Promise((resolve, reject) => {
    execFile('node', [join(repoRoot, 'services/cli/dist/main.js'), ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      error ? reject(new Error(`ragmesh ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout));
  });
}

/**
 * Commits the end of the topics for a phase's groups, so its workers take only this run's events
 * (the bench stack's documents.ingest is compacted: it keeps every earlier run's documents).
 */
async function startGroupsAtEnd(env) {
  const admin = new Kafka({ clientId: 'ragmesh-bench', brokers: stack.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    for (const [groupId, topic] of [[env.CHUNK_EMBED_GROUP_ID, 'documents.ingest'], [env.INDEXER_GROUP_ID, 'vectors.upsert']]) {
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
    }
  } finally {
    await admin.disconnect();
  }
}

async function startMesh(env, names) {
  await startGroupsAtEnd(env);
  const services = {};
  for (const name of names) services[name] = await startService(repoRoot, name, env, join(logDir, `reindex-${run}-${name}.log`));
  return services;
}

async function post(gateway, key, path, body) {
  const response = await fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(body) });
  if (response.status >= 300) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

const toDocument = (d) => ({ id: d._id, title: d.title, content: d.text, contentType: 'text/plain' });

/** Indexed documents of the tenant's active generation. */
async function indexedCount(tenant) {
  const { rows } = await withTenant(pool, tenant, (c) => c.query(
    `SELECT count(*)::int AS n FROM ragmesh.documents d JOIN ragmesh.tenant_generations t ON t.tenant_id = d.tenant_id AND t.generation_id = d.generation_id AND t.state = 'active'
     WHERE d.status = 'indexed'`,
  ));
  return rows[0].n;
}

async function ingest(gateway, key, tenant) {
  const started = performance.now();
  for (let i = 0; i < corpus.length; i += 100) await post(gateway, key, '/v1/documents', { documents: corpus.slice(i, i + 100).map(toDocument) });
  for (;;) {
    const n = await indexedCount(tenant);
    process.stdout.write(`\r  ${tenant}: ${n}/${corpus.length} indexed`);
    if (n >= corpus.length) break;
    await sleep(1_000);
  }
  process.stdout.write('\n');
  return (performance.now() - started) / 1000;
}

/** Corpus documents (not the probes) indexed in `generation`. */
async function generationIndexed(tenant, generation) {
  const { rows } = await withTenant(pool, tenant, (c) => c.query(
    "SELECT count(*)::int AS n FROM ragmesh.documents WHERE generation_id = $1 AND status = 'indexed' AND document_id NOT LIKE 'probe-%'", [generation],
  ));
  return rows[0].n;
}

/** Posts one new document and times it until GET /v1/documents/{id} says indexed. */
async function singleDocumentLatency(gateway, key, i) {
  const id = `probe-${run}-${i}`;
  const started = performance.now();
  await post(gateway, key, '/v1/documents', { id, title: `Probe ${i}`, content: `A probe document number ${i} about cell biology and protein folding measured during the benchmark.` });
  for (;;) {
    const status = await fetch(`${gateway.url}/v1/documents/${id}`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.json());
    if (status.status === 'indexed') return performance.now() - started;
    await sleep(25);
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : null;
};

/** Hybrid nDCG@10 through the gateway (documents ranked by their best chunk, as `make eval`). */
async function gatewayNdcg(gateway, key) {
  let sum = 0;
  for (const [qid, relevant] of evalQueries) {
    const body = await post(gateway, key, '/v1/query', { query: queryText.get(qid), topK: 100, mode: 'hybrid' });
    sum += ndcgAt10([...new Set(body.hits.map((h) => h.documentId))], relevant);
  }
  return evalQueries.length ? sum / evalQueries.length : null;
}

const results = { run, docs: corpus.length, from: fromModel, to: toModel, evalQueries: evalQueries.length, startedAt: new Date().toISOString() };
console.log(`reindex bench: ${corpus.length} SciFact documents, ${fromModel} -> ${toModel}, ${evalQueries.length} eval queries`);
try {
  // 1. The baseline: a first ingest with the target model, in a Redis database of its own.
  const baselineEnv = meshEnv(toModel, 13);
  const baselineRedis = new Redis(baselineEnv.REDIS_URL);
  await baselineRedis.flushdb();
  let mesh = await startMesh(baselineEnv, ['indexer', 'chunk-embed', 'gateway']);
  const baselineTenant = `bench-reindex-${run}-${toModel}`;
  const baselineKey = (await createApiKeyStore(pool).create({ tenant: baselineTenant })).key;
  results.firstIngestSeconds = await ingest(mesh.gateway, baselineKey, baselineTenant);
  results.firstIngestDocsPerSecond = corpus.length / results.firstIngestSeconds;
  for (const s of Object.values(mesh)) await stopService(s);
  await baselineRedis.flushdb();
  baselineRedis.disconnect();
  console.log(`  first ingest with ${toModel}: ${results.firstIngestSeconds.toFixed(1)} s, ${results.firstIngestDocsPerSecond.toFixed(2)} documents/s`);

  // 2. The tenant to move, indexed with the current model.
  const env = meshEnv(fromModel, Number(new URL(stack.redisUrl).pathname.slice(1) || 0));
  mesh = await startMesh(env, ['indexer', 'chunk-embed', 'retriever', 'gateway']);
  const tenant = `bench-reindex-${run}`;
  const key = (await createApiKeyStore(pool).create({ tenant })).key;
  results.sourceIngestSeconds = await ingest(mesh.gateway, key, tenant);
  results.ndcgBefore = await gatewayNdcg(mesh.gateway, key);
  const idle = [];
  for (let i = 0; i < 15; i++) idle.push(await singleDocumentLatency(mesh.gateway, key, i));
  results.liveIngestIdleP50Ms = median(idle);
  console.log(`  ${fromModel}: ingest ${results.sourceIngestSeconds.toFixed(1)} s, nDCG@10 ${results.ndcgBefore?.toFixed(4)}, single-document p50 idle ${results.liveIngestIdleP50Ms.toFixed(0)} ms`);

  // 3. The re-index through the CLI, with single documents posted meanwhile.
  const started = performance.now();
  const generation = Number((await cli(['reindex', 'start', '--model', toModel, '--tenant', tenant], env)).trim().split('\n').at(-1));
  const during = [];
  let caughtUp = false;
  const probes = (async () => {
    for (let i = 100; !caughtUp; i++) {
      during.push(await singleDocumentLatency(mesh.gateway, key, i));
      await sleep(3_000);
    }
  })();
  // Progress is read from the store once a second, as for the baseline (a CLI process every poll
  // would cost a share of the 2 cores the re-index runs on); the CLI then confirms it caught up.
  for (;;) {
    const done = await generationIndexed(tenant, generation);
    process.stdout.write(`\r  generation ${generation}: ${done}/${corpus.length} of the corpus indexed    `);
    if (done >= corpus.length) break;
    await sleep(1_000);
  }
  results.reindexSeconds = (performance.now() - started) / 1000;
  for (;;) {
    const status = JSON.parse(await cli(['reindex', 'status', '--tenant', tenant, '--json'], env));
    const g = status.generations.find((x) => x.id === generation);
    if (g?.caughtUp) {
      results.statusAtCatchUp = g;
      break;
    }
    await sleep(2_000);
  }
  caughtUp = true;
  await probes;
  process.stdout.write('\n');
  results.reindexDocsPerSecond = corpus.length / results.reindexSeconds;
  results.reindexVsFirstIngest = results.reindexDocsPerSecond / results.firstIngestDocsPerSecond;
  results.liveIngestDuringP50Ms = median(during);
  results.liveIngestDuringSamples = during.length;
  results.liveIngestRatio = results.liveIngestDuringP50Ms / results.liveIngestIdleP50Ms;
  const cutoverStarted = performance.now();
  await cli(['reindex', 'cutover', '--tenant', tenant], env);
  results.cutoverSeconds = (performance.now() - cutoverStarted) / 1000;
  await sleep(1_500);
  results.ndcgAfter = await gatewayNdcg(mesh.gateway, key);
  for (const s of Object.values(mesh)) await stopService(s);
  console.log(`  re-index: ${results.reindexSeconds.toFixed(1)} s, ${results.reindexDocsPerSecond.toFixed(2)} documents/s (${results.reindexVsFirstIngest.toFixed(2)}x the first ingest), cutover ${results.cutoverSeconds.toFixed(1)} s`);
  console.log(`  single-document p50 during ${results.liveIngestDuringP50Ms?.toFixed(0)} ms (${results.liveIngestRatio?.toFixed(2)}x idle, ${during.length} samples); nDCG@10 after ${results.ndcgAfter?.toFixed(4)}`);
} finally {
  killAll();
  await pool.end();
}

const f = (x, d = 2) => (x === null || x === undefined ? 'n/a' : x.toFixed(d));
const md = `# Re-index benchmark (\`make bench-reindex\`)

${results.docs} SciFact documents, ${results.from} -> ${results.to}, through \`ragmesh reindex start | status --json | cutover\` on the real mesh (private stack), ${results.startedAt}.

| figure | value | target |
|---|---|---|
| first ingest with ${results.to} (baseline) | ${f(results.firstIngestSeconds, 1)} s, ${f(results.firstIngestDocsPerSecond)} documents/s | |
| re-index ${results.from} -> ${results.to} | ${f(results.reindexSeconds, 1)} s, ${f(results.reindexDocsPerSecond)} documents/s | |
| re-index / first ingest | ${f(results.reindexVsFirstIngest)} | >= 0.9 |
| cutover (builds the HNSW index, then switches) | ${f(results.cutoverSeconds, 1)} s | |
| single-document indexing p50, idle | ${f(results.liveIngestIdleP50Ms, 0)} ms | |
| single-document indexing p50, during the re-index (${results.liveIngestDuringSamples} samples) | ${f(results.liveIngestDuringP50Ms, 0)} ms | |
| during / idle | ${f(results.liveIngestRatio)} | <= 2 |
| hybrid nDCG@10 through the gateway, before (${results.from}) | ${f(results.ndcgBefore, 4)} | ~0.72 |
| hybrid nDCG@10 through the gateway, after (${results.to}) | ${f(results.ndcgAfter, 4)} | >= 0.73 |

nDCG over ${results.evalQueries} test queries (those whose relevant documents are all in the corpus taken).
`;
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'reindex.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(resultsDir, 'reindex.md'), md);
console.log(md);
