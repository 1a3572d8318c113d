// Query cost and latency: POST /v1/query through the whole mesh (gateway → Kafka → retriever →
// Postgres → Kafka → gateway) against the same retrieval run directly on Postgres, in one run, over
// a tenant of >= 100,000 chunks, `hash` embedder, result cache off, the production checks on (API
// key, rate limit, trace sampling 0.1, the retriever's and gateway's own database roles).
// 1. Open loop at BENCH_QPS (50) for BENCH_SECONDS (60) per path, after BENCH_WARMUP_SECONDS (60)
//    at the same rate (steady state: a freshly started broker's JIT otherwise doubles its CPU per
//    request for the first minutes): p50/p95/p99 and the CPU each process spends per query
//    (Postgres included). Before it, the floor under the mesh's own CPU at that rate (lib/mesh-floor).
// 2. Saturation: open-loop steps of BENCH_RAMP_STEP q/s (10) lasting BENCH_RAMP_SECONDS (10) each,
//    up from BENCH_RAMP_START (10), per path, until a step misses twice in a row (p99 above
//    BENCH_RAMP_P99_MS (100) or a failed query): the highest rate that held. BENCH_RAMP=0 skips
//    it (quick A/B runs of the fixed-rate phase; the results then have no saturation figures).
// Writes bench/results/query-latency.{json,md}.
import { execFileSync, fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chunkDocument, getPolicy, normalizeContent, sha256Hex } from '@ragmesh/chunking';
import { createHashEmbedder } from '@ragmesh/embeddings';
import { createSearcher } from '@ragmesh/retrieval';
import { analyzeTables, createApiKeyStore, createGenerationStore, createIndexWriter, createPool, migrate, withTenant } from '@ragmesh/store';
import { cpuSecondsOfCommand, round, stackPids, startSampler } from './lib/procs.mjs';
import { openLoop as openLoopCalls, percentiles } from './lib/open-loop.mjs';
import { probeKafkaHop, probeWakeups } from './lib/wakeup-probe.mjs';
import { probeMeshFloor } from './lib/mesh-floor.mjs';
import { stackEnv } from '@ragmesh/testkit';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = process.env.SCIFACT_DIR ?? resolve(root, '../shared/datasets/beir/scifact');
const qps = Number(process.env.BENCH_QPS ?? 50);
const seconds = Number(process.env.BENCH_SECONDS ?? 60);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 60);
const minChunks = Number(process.env.BENCH_CHUNKS ?? 100_000);
const mode = process.env.BENCH_MODE ?? 'hybrid';
const tenant = process.env.BENCH_TENANT ?? 'bench-latency';
// Connections the searching side holds (the retriever's DATABASE_POOL_SIZE, the direct searcher's
// pool): one per core of the database by default. The search is CPU-bound in Postgres, and more
// concurrent queries than cores only add contention (measured one at a time 5.5 ms of Postgres CPU
// per hybrid query, 7.5 with two at once, 11.4 with four, on this 2-core machine).
const dbConnections = Number(process.env.BENCH_DB_CONNECTIONS ?? cpus().length);
const ramp = {
  enabled: process.env.BENCH_RAMP !== '0',
  start: Number(process.env.BENCH_RAMP_START ?? 10),
  step: Number(process.env.BENCH_RAMP_STEP ?? 10),
  seconds: Number(process.env.BENCH_RAMP_SECONDS ?? 10),
  p99Ms: Number(process.env.BENCH_RAMP_P99_MS ?? 100),
};
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

/** `run` at `qps` for `seconds`, open loop: latency percentiles and errors. */
async function openLoop(run, { qps, seconds }) {
  const { samples, errors } = await openLoopCalls({ qps, seconds, run });
  // Mesh only: the latency minus the retriever's own time (its `timings.total`) = the hops
  // gateway -> Kafka -> retriever and back, plus queueing before the retriever picked it up.
  const hops = samples.filter((s) => typeof s.value === 'number').map((s) => s.ms - s.value);
  return { ...percentiles(samples.map((s) => s.ms)), errors, ...(hops.length > 0 ? { outsideRetriever: percentiles(hops) } : {}) };
}

console.log(`query latency: tenant ${tenant}, mode ${mode}, ${qps} queries/s for ${seconds} s`);
await load();
// Fresh planner statistics, as the indexer keeps them after large writes (the bench writes directly),
// and the load's dead tuples and visibility map settled now: otherwise autovacuum does it in the
// middle of a measured phase, and its CPU counts as the queries' Postgres CPU.
await analyzeTables(pool);
await pool.query('VACUUM ragmesh.chunks, ragmesh.documents');
const chunks = await chunkCount();
const key = (await createApiKeyStore(pool).create({ tenant, name: 'bench' })).key;
const run = createHash('sha256').update(String(Date.now())).digest('hex').slice(0, 8);
const env = {
  EMBEDDINGS_PROVIDER: 'hash', EMBEDDINGS_DIMS: '384', RESULT_CACHE_TTL_SECONDS: '0', LOG_LEVEL: 'warn', KAFKAJS_NO_PARTITIONER_WARNING: '1',
  RETRIEVER_GROUP_ID: `bench-${run}-retriever`, GATEWAY_REPLY_GROUP_ID: `bench-${run}-replies`, GATEWAY_HOST: '127.0.0.1', METRICS_HOST: '127.0.0.1',
  // One tenant at 50 q/s and more: above the default per-tenant limit (600 a minute), which the
  // rate check still runs against, as in production.
  GATEWAY_QUERIES_PER_MINUTE: '1000000',
  // Production's sampling (deploy/k8s): one trace in ten, kept by the gateway's decision downstream.
  // No exporter here: there is no collector to send to, so sampled spans are built but not sent.
  OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1', OTEL_TRACES_EXPORTER: 'none',
};
const children = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGTERM')));
// Each service as its own database role (migration 6), as `make up` and deploy/k8s run them.
const asRole = (role) => databaseUrl.replace(/\/\/[^:@/]+(:[^@/]*)?@/, (_, password) => `//${role}${password ?? ''}@`);
const retriever = await startService('retriever', { ...env, DATABASE_URL: asRole('ragmesh_retriever'), DATABASE_POOL_SIZE: String(dbConnections), METRICS_PORT: String(await freePort()) });
const gateway = await startService('gateway', { ...env, DATABASE_URL: asRole('ragmesh_gateway'), GATEWAY_PORT: String(await freePort()) });
const searchPool = createPool({ connectionString: databaseUrl, max: dbConnections, applicationName: 'ragmesh-bench-search' });
const searcher = createSearcher({ pool: searchPool });
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
// The search's own cost, one query at a time after the warm-up: Postgres and searcher CPU per query
// without other queries contending for the cores.
const oneAtATime = await (async () => {
  const n = Math.min(600, queryTexts.length);
  const pg0 = cpuSecondsOfCommand('postgres');
  const me0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await direct(i);
  const me = process.cpuUsage(me0);
  return { queries: n, postgresMs: round(((cpuSecondsOfCommand('postgres') - pg0) * 1000) / n), searcherMs: round((me.user + me.system) / 1000 / n) };
})();
console.log(`  one at a time: Postgres ${oneAtATime.postgresMs} ms, searcher ${oneAtATime.searcherMs} ms CPU per query`);
console.log(`  warm-up, direct, one at a time, cold statistics: p50 ${warmupStats.p50.toFixed(2)} ms, p99 ${warmupStats.p99.toFixed(2)} ms`);
/** Runs one open-loop phase and the CPU each process spent on it, in ms per query. */
async function measured(run, watched) {
  await openLoop(run, { qps, seconds: warmupSeconds });
  const sampler = startSampler(watched);
  const postgresBefore = cpuSecondsOfCommand('postgres');
  const stats = await openLoop(run, { qps, seconds });
  const host = sampler.stop();
  const perQuery = (cpuSeconds) => round((cpuSeconds * 1000) / (qps * seconds), 2);
  const cpuMsPerQuery = Object.fromEntries(Object.entries(host.processes).map(([name, p]) => [name, perQuery(p.cpuSeconds ?? 0)]));
  cpuMsPerQuery.postgres = perQuery(cpuSecondsOfCommand('postgres') - postgresBefore);
  return { ...stats, cpuMsPerQuery, machineCpuUtilization: host.machineCpuUtilization };
}

// Probes of the machine, printed with the results below.
const wakeups = await probeWakeups();
const kafkaHop = await probeKafkaHop({ brokers: stackEnv().brokers });
const stack = stackPids(process.env.RAGMESH_STATE_DIR ?? join(root, '.state'));
// Warmed as long as the measured phases: on a freshly started broker the floor's Kafka part ran
// first and the broker spent 5.75 ms per round trip, against 2.94 per query in the mesh phase after it.
const floor = await probeMeshFloor({ brokers: stackEnv().brokers, brokerPid: stack.kafka, qps, warmupSeconds });
console.log(`  floor at ${qps} q/s: ${floor.totalMs} ms CPU per query (http ${floor.http.serverMs}, kafka asker ${floor.kafka.askerMs}, answerer ${floor.kafka.answererMs}, broker ${floor.kafka.brokerMs})`);
const meshStats = await measured(viaMesh, { gateway: gateway.child.pid, retriever: retriever.child.pid, ...(stack.kafka ? { kafka: stack.kafka } : {}), bench: process.pid });
const directStats = await measured(direct, { bench: process.pid });

/** The highest open-loop rate whose p99 stays within ramp.p99Ms without a failed query. */
async function saturation(run) {
  const steps = [];
  for (let rate = ramp.start; ; rate += ramp.step) {
    // A step that misses is run once more: on this VM a background burst can spoil one window.
    let stats = await openLoop(run, { qps: rate, seconds: ramp.seconds });
    const within = (s) => s.errors === 0 && s.p99 <= ramp.p99Ms;
    if (!within(stats)) {
      await new Promise((r) => setTimeout(r, 2000));
      stats = await openLoop(run, { qps: rate, seconds: ramp.seconds });
    }
    const held = within(stats);
    steps.push({ qps: rate, p50: round(stats.p50), p99: round(stats.p99), errors: stats.errors, held });
    process.stdout.write(`  ${rate} q/s: p99 ${stats.p99.toFixed(1)} ms${stats.errors ? `, ${stats.errors} errors` : ''}\n`);
    if (!held) break;
    await new Promise((r) => setTimeout(r, 2000)); // let queues and the CPU settle between steps
  }
  return { qps: steps.filter((s) => s.held).at(-1)?.qps ?? 0, steps };
}
const skipped = { qps: null, steps: [] };
if (ramp.enabled) console.log(`saturation ramp (p99 <= ${ramp.p99Ms} ms, steps of ${ramp.step} q/s for ${ramp.seconds} s): mesh`);
const meshSaturation = ramp.enabled ? await saturation(viaMesh) : skipped;
if (ramp.enabled) console.log('saturation ramp: direct');
const directSaturation = ramp.enabled ? await saturation(direct) : skipped;
retriever.child.kill('SIGTERM');
gateway.child.kill('SIGTERM');
await pool.end();
await searchPool.end();

// CPU per query: the mesh's processes (not the HTTP load generator) against the direct path's
// in-process searcher, Postgres counted in both.
const meshCpu = meshStats.cpuMsPerQuery;
const meshOutsidePostgres = round((meshCpu.gateway ?? 0) + (meshCpu.retriever ?? 0) + (meshCpu.kafka ?? 0));
const cpuPerQueryMs = {
  meshTotal: round(meshOutsidePostgres + meshCpu.postgres),
  directTotal: round(directStats.cpuMsPerQuery.bench + directStats.cpuMsPerQuery.postgres),
  postgresHybrid: directStats.cpuMsPerQuery.postgres,
  meshOutsidePostgres,
  postgresHybridOneAtATime: oneAtATime.postgresMs,
  searcherOneAtATime: oneAtATime.searcherMs,
};
const meshToDirectCpu = round(cpuPerQueryMs.meshTotal / cpuPerQueryMs.directTotal, 3);
// What the 1.35x target leaves the mesh for its own work (HTTP, Kafka, the services around the
// search), against the least any HTTP -> Kafka request/reply spends at this rate here.
const meshOwnAllowanceMs = round(0.35 * cpuPerQueryMs.directTotal);
const meshOwnMs = round(meshOutsidePostgres - directStats.cpuMsPerQuery.bench);
const saturationRatio = meshSaturation.qps !== null && directSaturation.qps > 0 ? round(meshSaturation.qps / directSaturation.qps, 3) : null;
const result = {
  chunks, mode, qps, seconds, dbConnections, oneAtATime, commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim(),
  loadavg: (await import('node:os')).loadavg(), wakeupRoundTripMs: wakeups, kafkaHopMs: kafkaHop,
  warmupSeconds, mesh: meshStats, direct: directStats, warmupDirectSequential: warmupStats,
  meshFloor: floor, meshOwnMs, meshOwnAllowanceMs,
  p50DeltaMs: meshStats.p50 - directStats.p50,
  cpuPerQueryMs, meshToDirectCpu,
  saturation: { p99LeMs: ramp.p99Ms, stepQps: ramp.step, stepSeconds: ramp.seconds, mesh: meshSaturation, direct: directSaturation, ratio: saturationRatio },
  targets: { postgresHybridLeMs: 7, meshOutsidePostgresLeMs: 6, meshToDirectCpuLe: 1.35, saturationRatioGe: 0.75 },
  met: {
    postgresHybrid: cpuPerQueryMs.postgresHybrid <= 7,
    meshOutsidePostgres: meshOutsidePostgres <= 6,
    meshToDirectCpu: meshToDirectCpu <= 1.35,
    saturationRatio: saturationRatio !== null && saturationRatio >= 0.75,
  },
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
  `Floor under the mesh's own CPU at ${qps} q/s, with no work at either end (a bare node:http server answering a POST of a query's sizes; a kafkajs request/reply of a query's sizes between two processes, clients set as the services set theirs): HTTP server ${f(floor.http.serverMs)}, Kafka asker ${f(floor.kafka.askerMs)}, answerer ${f(floor.kafka.answererMs)}, broker ${f(floor.kafka.brokerMs ?? 0)}: ${f(floor.totalMs)} ms per query. The mesh's own CPU (outside Postgres, less the in-process searcher's cost on the direct path): ${f(meshOwnMs)} ms; what the 1.35x target leaves it: ${f(meshOwnAllowanceMs)} ms.`,
  `One Kafka hop alone (kafkajs produce, acks all, until a kafkajs consumer holds the record; ${kafkaHop.gapMs} ms apart): p50 ${f(kafkaHop.p50)} ms, p90 ${f(kafkaHop.p90)} ms, p99 ${f(kafkaHop.p99)} ms. A query makes two such hops.`,
  '',
  `Warm-up before measuring: every one of the ${queryTexts.length} distinct queries once through each path, then ${warmupSeconds} s at ${qps} q/s on each path; the direct warm-up pass (one at a time, cold BM25 statistics): p50 ${f(warmupStats.p50)} ms, p99 ${f(warmupStats.p99)} ms.`,
  `${chunks} chunks, ${mode}, ${qps} q/s for ${seconds} s; p50 mesh - direct = ${f(result.p50DeltaMs)} ms; mesh/direct p99 = ${f(meshStats.p99 / directStats.p99)}x`,
  '',
  ramp.enabled
    ? `Saturation (highest open-loop rate with p99 <= ${ramp.p99Ms} ms and no error; steps of ${ramp.step} q/s, ${ramp.seconds} s each): mesh ${meshSaturation.qps} q/s, direct ${directSaturation.qps} q/s${saturationRatio === null ? '' : ` (${f(saturationRatio)}x)`}.`
    : 'Saturation: not measured (BENCH_RAMP=0).',
  ...(ramp.enabled ? [`Steps, q/s: p99 ms: mesh ${meshSaturation.steps.map((s) => `${s.qps}: ${f(s.p99)}`).join(', ')}; direct ${directSaturation.steps.map((s) => `${s.qps}: ${f(s.p99)}`).join(', ')}.`] : []),
  '',
  '| target | value | |',
  '|---|---|---|',
  `| Postgres CPU per hybrid query <= 7 ms (direct path at ${qps} q/s; one at a time: ${f(oneAtATime.postgresMs)}) | ${f(cpuPerQueryMs.postgresHybrid)} | ${result.met.postgresHybrid ? 'MET' : 'NOT MET'} |`,
  `| mesh CPU per query outside Postgres (gateway + retriever + Kafka) <= 6 ms | ${f(meshOutsidePostgres)} | ${result.met.meshOutsidePostgres ? 'MET' : 'NOT MET'} |`,
  `| mesh total CPU per query <= 1.35x direct (${f(cpuPerQueryMs.meshTotal)} vs ${f(cpuPerQueryMs.directTotal)} ms) | ${f(meshToDirectCpu)} | ${result.met.meshToDirectCpu ? 'MET' : 'NOT MET'} |`,
  `| mesh saturation >= 0.75x direct | ${saturationRatio === null ? 'n/a' : f(saturationRatio)} | ${result.met.saturationRatio ? 'MET' : 'NOT MET'} |`,
  '',
  `Commit ${result.commit}; load average at the end ${result.loadavg.map((l) => l.toFixed(2)).join(' ')}.`,
];
console.log(table.join('\n'));
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/query-latency.json'), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(root, 'bench/results/query-latency.md'), `# Query latency (\`make bench\`)\n\n${table.join('\n')}\n`);
