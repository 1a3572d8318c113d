// Query latency: POST /v1/query through the whole mesh (gateway → Kafka → retriever → Postgres →
// Kafka → gateway) against the same retrieval run directly on Postgres, in one run, over a tenant
// of >= 100,000 chunks, open-loop at BENCH_QPS (50) for BENCH_SECONDS (60), `hash` embedder, result
// cache off. Prints p50/p95/p99 for both and writes bench/results/query-latency.{json,md}.
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chunkDocument, getPolicy, normalizeContent, sha256Hex } from '@ragmesh/chunking';
import { createHashEmbedder } from '@ragmesh/embeddings';
import { createSearcher } from '@ragmesh/retrieval';
import { analyzeTables, createApiKeyStore, createGenerationStore, createIndexWriter, createPool, migrate, withTenant } from '@ragmesh/store';
import { cpuSecondsOfCommand, round, stackPids, startSampler } from './lib/procs.mjs';
import { probeKafkaHop, probeWakeups } from './lib/wakeup-probe.mjs';
import { stackEnv } from '@ragmesh/testkit';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = process.env.SCIFACT_DIR ?? resolve(root, '../shared/datasets/beir/scifact');
const qps = Number(process.env.BENCH_QPS ?? 50);
const seconds = Number(process.env.BENCH_SECONDS ?? 60);
const minChunks = Number(process.env.BENCH_CHUNKS ?? 100_000);
const mode = process.env.BENCH_MODE ?? 'hybrid';
const tenant = process.env.BENCH_TENANT ?? 'bench-latency';
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://ragmesh:ragmesh@127.0.0.1:5432/ragmesh';
const embedder = createHashEmbedder({ dims: 384 });
const model = { id: embedder.model.id, dims: embedder.model.dims };

const readJsonl = (file) => readFileSync(join(dataDir, file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const corpus = readJsonl('corpus.jsonl');
const queryTexts = readJsonl('queries.jsonl').map((q) => q.text);

const pool = createPool({ connectionString: databaseUrl, max: 4, applicationName: 'ragmesh-bench' });
await migrate(pool);
// The retriever's default generation for its `hash` 384 settings, made the tenant's active one.
const generations = createGenerationStore(pool);
const generation = (await generations.ensureDefault({ provider: 'hash', modelId: model.id, dims: model.dims })).id;
await generations.activeFor(tenant, generation);

async function chunkCount() {
  const { rows } = await withTenant(pool, tenant, (c) => c.query('SELECT count(*)::int AS n FROM ragmesh.chunks WHERE generation_id = $1', [generation]));
  return rows[0].n;
}

// SciFact's abstracts, copied under new ids until the tenant holds enough chunks.
async function load() {
  const writer = createIndexWriter(pool);
  let copy = 0;
  let version = Date.now();
  while ((await chunkCount()) < minChunks) {
    for (let i = 0; i < corpus.length; i += 200) {
      const versions = corpus.slice(i, i + 200).map((d) => {
        const normalized = normalizeContent({ content: d.text, contentType: 'text/plain' });
        const chunks = chunkDocument({ text: normalized, title: d.title, policy: getPolicy('default'), countTokens: (t) => embedder.countTokens(t), maxTokens: embedder.model.maxTokens });
        const id = `${d._id}-copy${copy}`;
        return {
          op: 'UPSERT', documentId: id, version: ++version, contentHash: sha256Hex(`${copy}:${normalized}`), uri: null, title: d.title,
          metadata: { copy: String(copy), year: String(2000 + (Number(d._id) % 25)) }, chunking: 'default', model: { ...model, version: '1' }, generation,
          part: 0, partCount: 1, chunkCount: chunks.length,
          chunks: chunks.map((c) => ({
            chunkId: createHash('sha256').update(`${id}\u0000${c.ordinal}`).digest('hex').slice(0, 32), ordinal: c.ordinal, text: c.text,
            textHash: sha256Hex(c.embedText), tokenCount: c.tokenCount, embedding: [],
          })),
        };
      });
      const texts = versions.flatMap((v) => v.chunks.map((c) => `${v.title}\n\n${c.text}`));
      const vectors = await embedder.embed(texts, 'document');
      let at = 0;
      for (const v of versions) for (const c of v.chunks) c.embedding = Array.from(vectors[at++]);
      await writer.apply(tenant, versions);
    }
    copy++;
    process.stdout.write(`\r  loaded ${await chunkCount()} chunks`);
  }
  process.stdout.write('\n');
}

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

async function startService(name, env) {
  const child = fork(join(root, `services/${name}/dist/main.js`), [], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  children.push(child);
  const url = `http://127.0.0.1:${env.GATEWAY_PORT ?? env.METRICS_PORT}`;
  for (let i = 0; i < 240; i++) {
    if ((await fetch(`${url}/readyz`).catch(() => null))?.ok) return { child, url };
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not become ready`);
}

function percentiles(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return { count: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: sorted.at(-1) };
}

/** Sends `run(i)` at a fixed rate regardless of how long each takes (open loop). */
async function openLoop(run) {
  const latencies = [];
  // Mesh only: the latency minus the retriever's own time (its `timings.total`) = the hops
  // gateway -> Kafka -> retriever and back, plus queueing before the retriever picked it up.
  const hops = [];
  let errors = 0;
  const total = qps * seconds;
  const started = performance.now();
  const inflight = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / qps;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      run(i).then(
        (serverMs) => {
          const ms = performance.now() - due;
          latencies.push(ms);
          if (typeof serverMs === 'number') hops.push(ms - serverMs);
        },
        () => errors++,
      ),
    );
  }
  await Promise.all(inflight);
  return { ...percentiles(latencies), errors, ...(hops.length > 0 ? { outsideRetriever: percentiles(hops) } : {}) };
}

console.log(`query latency: tenant ${tenant}, mode ${mode}, ${qps} queries/s for ${seconds} s`);
await load();
// Fresh planner statistics, as the indexer keeps them after large writes (the bench writes directly).
await analyzeTables(pool);
const chunks = await chunkCount();
const key = (await createApiKeyStore(pool).create({ tenant, name: 'bench' })).key;
const run = createHash('sha256').update(String(Date.now())).digest('hex').slice(0, 8);
const env = {
  EMBEDDINGS_PROVIDER: 'hash', EMBEDDINGS_DIMS: '384', RESULT_CACHE_TTL_SECONDS: '0', LOG_LEVEL: 'warn', KAFKAJS_NO_PARTITIONER_WARNING: '1',
  RETRIEVER_GROUP_ID: `bench-${run}-retriever`, GATEWAY_REPLY_GROUP_ID: `bench-${run}-replies`, GATEWAY_HOST: '127.0.0.1', METRICS_HOST: '127.0.0.1',
  // One tenant at 50 q/s and more: above the default per-tenant limit (600 a minute), which the
  // rate check still runs against, as in production.
  GATEWAY_QUERIES_PER_MINUTE: '1000000',
};
const children = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGTERM')));
const retriever = await startService('retriever', { ...env, METRICS_PORT: String(await freePort()) });
const gateway = await startService('gateway', { ...env, GATEWAY_PORT: String(await freePort()) });
const searcher = createSearcher({ pool });
const pick = (i) => queryTexts[(i * 7919) % queryTexts.length];

const viaMesh = (i) =>
  fetch(`${gateway.url}/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: pick(i), topK: 10, mode }),
  }).then(async (r) => {
    if (r.status !== 200) throw new Error(`status ${r.status}`);
    const body = await r.json();
    return body.timings?.total;
  });
const direct = async (i) => {
  const text = pick(i);
  const queryVector = mode === 'sparse' ? null : (await embedder.embed([text], 'query'))[0];
  await searcher.search({ tenant, model, generation, queryVector, text, topK: 10, mode });
};

// Warm both paths (connections, plans, BM25 statistics caches) with every distinct query once,
// one at a time: the measured runs then show a service that has seen this query distribution.
// The warm-up pass is timed too (direct, sequential): what a cold statistics cache costs.
const warmup = [];
for (let i = 0; i < queryTexts.length; i++) {
  const t0 = performance.now();
  await direct(i * 8); // pick(i * 8) walks every query: 7919 * 8 and the query count are coprime
  warmup.push(performance.now() - t0);
  await viaMesh(i * 8).catch(() => undefined);
}
const warmupStats = percentiles(warmup);
console.log(`  warm-up, direct, one at a time, cold statistics: p50 ${warmupStats.p50.toFixed(2)} ms, p99 ${warmupStats.p99.toFixed(2)} ms`);
/** Runs one open-loop phase and the CPU each process spent on it, in ms per query. */
async function measured(run, watched) {
  const sampler = startSampler(watched);
  const postgresBefore = cpuSecondsOfCommand('postgres');
  const stats = await openLoop(run);
  const host = sampler.stop();
  const perQuery = (cpuSeconds) => round((cpuSeconds * 1000) / (qps * seconds), 2);
  const cpuMsPerQuery = Object.fromEntries(Object.entries(host.processes).map(([name, p]) => [name, perQuery(p.cpuSeconds ?? 0)]));
  cpuMsPerQuery.postgres = perQuery(cpuSecondsOfCommand('postgres') - postgresBefore);
  return { ...stats, cpuMsPerQuery, machineCpuUtilization: host.machineCpuUtilization };
}

// Probes of the machine, printed with the results below.
const wakeups = await probeWakeups();
const kafkaHop = await probeKafkaHop({ brokers: stackEnv().brokers });
const stack = stackPids(join(root, '.state'));
const meshStats = await measured(viaMesh, { gateway: gateway.child.pid, retriever: retriever.child.pid, ...(stack.kafka ? { kafka: stack.kafka } : {}), bench: process.pid });
const directStats = await measured(direct, { bench: process.pid });
retriever.child.kill('SIGTERM');
gateway.child.kill('SIGTERM');
await pool.end();

const result = {
  chunks, mode, qps, seconds, loadavg: (await import('node:os')).loadavg(), wakeupRoundTripMs: wakeups, kafkaHopMs: kafkaHop,
  mesh: meshStats, direct: directStats, warmupDirectSequential: warmupStats,
  p50DeltaMs: meshStats.p50 - directStats.p50,
  targets: { meshP99LeMs: 30, p50DeltaLeMs: 5 },
  met: { meshP99: meshStats.p99 <= 30, p50Delta: meshStats.p50 - directStats.p50 <= 5 },
};
const f = (n) => n.toFixed(2);
const table = [
  `| path | p50 ms | p95 ms | p99 ms | max ms | errors |`,
  `|---|---|---|---|---|---|`,
  `| mesh (/v1/query) | ${f(meshStats.p50)} | ${f(meshStats.p95)} | ${f(meshStats.p99)} | ${f(meshStats.max)} | ${meshStats.errors} |`,
  `| direct (same SQL) | ${f(directStats.p50)} | ${f(directStats.p95)} | ${f(directStats.p99)} | ${f(directStats.max)} | ${directStats.errors} |`,
  `| mesh outside the retriever (latency - retriever timings.total) | ${f(meshStats.outsideRetriever.p50)} | ${f(meshStats.outsideRetriever.p95)} | ${f(meshStats.outsideRetriever.p99)} | ${f(meshStats.outsideRetriever.max)} | |`,
  '',
  `CPU per query (ms; machine utilization): mesh ${Object.entries(meshStats.cpuMsPerQuery).map(([n, ms]) => `${n} ${f(ms)}`).join(', ')} (${f(meshStats.machineCpuUtilization * 100)} %); direct ${Object.entries(directStats.cpuMsPerQuery).map(([n, ms]) => `${n} ${f(ms)}`).join(', ')} (${f(directStats.machineCpuUtilization * 100)} %). "bench" is the load generator itself (HTTP client or in-process searcher).`,
  `Local round trip between two processes after the receiver idled (this machine's wakeup cost per hop): ${Object.entries(wakeups).map(([gap, w]) => `after ${gap}: p50 ${f(w.p50)} ms, p90 ${f(w.p90)} ms`).join('; ')}.`,
  `One Kafka hop alone (kafkajs produce, acks all, until a kafkajs consumer holds the record; ${kafkaHop.gapMs} ms apart): p50 ${f(kafkaHop.p50)} ms, p90 ${f(kafkaHop.p90)} ms, p99 ${f(kafkaHop.p99)} ms. A query makes two such hops.`,
  '',
  `Warm-up before measuring: every one of the ${queryTexts.length} distinct queries once through each path; the direct warm-up pass (one at a time, cold BM25 statistics): p50 ${f(warmupStats.p50)} ms, p99 ${f(warmupStats.p99)} ms.`,
  `${chunks} chunks, ${mode}, ${qps} q/s for ${seconds} s; p50 mesh - direct = ${f(result.p50DeltaMs)} ms; mesh/direct p99 = ${f(meshStats.p99 / directStats.p99)}x`,
  `target mesh p99 <= 30 ms: ${result.met.meshP99 ? 'MET' : 'NOT MET'}; target p50 delta <= 5 ms: ${result.met.p50Delta ? 'MET' : 'NOT MET'}; load average ${result.loadavg.map((l) => l.toFixed(2)).join(' ')}`,
];
console.log(table.join('\n'));
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/query-latency.json'), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(root, 'bench/results/query-latency.md'), `# Query latency (\`make bench\`)\n\n${table.join('\n')}\n`);
