// `make chaos`: the mesh under a fault schedule, on a stack whose every server it started itself
// (deploy/local/private-stack.sh chaos: its own broker, registry, Postgres cluster and Redis).
// SciFact documents are posted through the gateway at a steady pace (plus edits of some of them)
// while a few queries a second are asked, and meanwhile:
//   the broker is killed (-9) and restarted 3 times, Postgres crash-restarted twice, Redis down
//   30 s, the schema registry down 30 s, the embedding API answering 429 then 503 for 30 s,
//   and random workers (chunk-embed x2, indexer x2, retriever x2) are killed -9 >= 20 times,
//   each restarted a second later as a supervisor would.
// Embeddings come from an OpenAI-compatible stand-in in this process that serves the `hash`
// embedder's vectors (the run is about delivery, not the model) and misbehaves on schedule.
// At the end every document must be indexed exactly once with its latest content: the store is
// compared with the chunks each document's latest version must give. Per fault kind it reports
// injections, documents lost / duplicated / stale / dead-lettered (all must be 0), failed queries
// and the longest stall of ingestion and of queries -> bench/results/chaos.{md,json}; exits 1
// when anything was lost, duplicated, stale or dead-lettered.
//   --short (make test): 300 documents; one broker kill, one Postgres restart, Redis down 10 s,
//   2 worker kills; results to CHAOS_RESULTS_DIR (a temporary directory).
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chunkDocument, contentHash, getPolicy, normalizeContent } from '@ragmesh/chunking';
import { createHashEmbedder, createOpenAiEmbedder } from '@ragmesh/embeddings';
import { createApiKeyStore, createPool, migrate, withTenant } from '@ragmesh/store';
import { stackEnv } from '@ragmesh/testkit';
import { Kafka, logLevel } from 'kafkajs';
import { EDIT_SENTENCE, loadScifact } from './lib/corpus.mjs';
import { freePort, killAll, startService, stopService } from './lib/mesh.mjs';
import { round } from './lib/procs.mjs';
import { benchDir, hostFacts, repoRoot } from './lib/settings.mjs';

const short = process.argv.includes('--short');
const docsWanted = Number(process.env.CHAOS_DOCS ?? (short ? 300 : 0)); // 0 = all 5,183
const workerKills = Number(process.env.CHAOS_WORKER_KILLS ?? (short ? 2 : 24));
const resultsDir = process.env.CHAOS_RESULTS_DIR ?? join(benchDir, 'results');
const dataDir = process.env.SCIFACT_DIR ?? join(repoRoot, '../shared/datasets/beir/scifact');
const stateDir = process.env.RAGMESH_STATE_DIR ?? '';
const run = randomUUID().slice(0, 8);
const logDir = join(stateDir, 'logs/chaos');
const DIMS = 384;
const MODEL = `chaos-hash-${DIMS}`;
const QUERY_EVERY_MS = 300;
const log = (...args) => console.log(`[chaos +${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...args);

// It restarts Postgres and Redis and kills the broker: only ever servers of its own stack.
if (!stateDir.endsWith('/.state/chaos') || !process.env.PG_DATADIR || !process.env.REDIS_PORT || process.env.REDIS_PORT === '6379') {
  console.error('chaos.mjs restarts the servers it runs against: run it through `make chaos` (deploy/local/private-stack.sh chaos)');
  process.exit(2);
}

const stack = stackEnv();
const pool = createPool({ connectionString: stack.databaseUrl, max: 4, applicationName: 'ragmesh-chaos', onConnectionError: () => {} });
const t0 = Date.now();
process.on('exit', killAll);

// ---- the embedding API stand-in -------------------------------------------------------------
const hash = createHashEmbedder({ dims: DIMS });
const api = { misbehaveUntil: 0, halfAt: 0, calls: { ok: 0, rateLimited: 0, unavailable: 0 } };
async function startEmbeddingApi() {
  const port = await freePort();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      const now = Date.now();
      if (now < api.misbehaveUntil) {
        if (now < api.halfAt) {
          api.calls.rateLimited++;
          res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' }).end('{"error":{"message":"rate limited"}}');
        } else {
          api.calls.unavailable++;
          res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"message":"overloaded"}}');
        }
        return;
      }
      api.calls.ok++;
      const { input, model } = JSON.parse(body);
      const vectors = await hash.embed(input, 'document');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        object: 'list', model, data: vectors.map((v, index) => ({ object: 'embedding', index, embedding: Array.from(v) })), usage: { prompt_tokens: 0, total_tokens: 0 },
      }));
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

// ---- the corpus and what the store must end up holding ----------------------------------------
const counter = createOpenAiEmbedder({ model: MODEL, baseUrl: 'http://127.0.0.1:1/v1', dims: DIMS }); // countTokens only, as chunk-embed's
const policy = getPolicy('default');
function expected(doc) {
  const normalized = normalizeContent({ content: doc.content, contentType: 'text/plain' });
  const chunks = chunkDocument({ text: normalized, title: doc.title, policy, countTokens: (t) => counter.countTokens(t), maxTokens: counter.model.maxTokens });
  return { hash: contentHash({ normalized, policy: 'default', modelId: MODEL }), chunks: chunks.map((c) => c.text) };
}

// ---- services, supervised ----------------------------------------------------------------------
const slots = []; // { name, index, service, kills, unexpectedExits }
let supervising = true;
async function startSlot(slot, env) {
  slot.service = await startService(repoRoot, slot.name, env, join(logDir, `${run}-${slot.name}-${slot.index}.log`));
  slot.service.child.once('exit', (code, signal) => {
    if (!supervising) return;
    if (!slot.killing) {
      slot.unexpectedExits.push({ code, signal, at: Date.now() });
      log(`${slot.name}#${slot.index} exited unexpectedly (code ${code}, signal ${signal}):\n${slot.service.logs.join('').slice(-2000)}`);
    }
    slot.killing = false;
    // A supervisor restarts it a second later (however long startup then takes, e.g. without Postgres).
    void sleep(1_000).then(async () => {
      for (;;) {
        if (!supervising) return;
        try {
          await startSlot(slot, env);
          return;
        } catch (error) {
          log(`${slot.name}#${slot.index} restart failed, again in 2 s: ${String(error).slice(0, 300)}`);
          await sleep(2_000);
        }
      }
    });
  });
}

// ---- load: documents and queries ----------------------------------------------------------------
const accepted = new Map(); // id -> { doc, expected, acceptedAt }
const postLog = []; // { at, status }
async function postBatch(gatewayUrl, key, docs) {
  for (;;) {
    const at = Date.now();
    let status = 0;
    try {
      const response = await fetch(`${gatewayUrl}/v1/documents`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ documents: docs.map((d) => ({ id: d.id, title: d.title, content: d.content, contentType: 'text/plain' })) }),
        signal: AbortSignal.timeout(30_000),
      });
      status = response.status;
      await response.body?.cancel();
    } catch {
      status = 0;
    }
    postLog.push({ at, status });
    if (status === 202) {
      const now = Date.now();
      for (const d of docs) accepted.set(d.id, { doc: d, expected: expected(d), acceptedAt: now });
      return;
    }
    if (status !== 503 && status !== 0) throw new Error(`POST /v1/documents answered ${status}: only 202 or 503 (retry) are expected`);
    await sleep(2_000); // Retry-After
  }
}

const queries = []; // { at, ms, status }
function queryLoop(gatewayUrl, key, texts) {
  let stop = false;
  const inflight = new Set();
  const loop = (async () => {
    for (let i = 0; !stop; i++) {
      const at = Date.now();
      const p = fetch(`${gatewayUrl}/v1/query`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: texts[i % texts.length], topK: 5 }), signal: AbortSignal.timeout(15_000),
      }).then(async (r) => { await r.body?.cancel(); return r.status; }, () => 0)
        .then((status) => queries.push({ at, ms: Date.now() - at, status }));
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
      await sleep(QUERY_EVERY_MS);
    }
  })();
  return async () => { stop = true; await loop; await Promise.all(inflight); };
}

// ---- progress: documents whose latest version is indexed ---------------------------------------
const progress = []; // { at, correct, outstanding }
async function correctNow(tenant) {
  const { rows } = await withTenant(pool, tenant, (c) => c.query("SELECT document_id, content_hash FROM ragmesh.documents WHERE status = 'indexed'"));
  let correct = 0;
  for (const row of rows) if (accepted.get(row.document_id)?.expected.hash === row.content_hash) correct++;
  return correct;
}
function progressLoop(tenant) {
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const correct = await correctNow(tenant).catch(() => null); // the database may be restarting
      progress.push({ at: Date.now(), correct, outstanding: accepted.size });
      await sleep(500);
    }
  })();
  return async () => { stop = true; await loop; };
}

// ---- faults ----------------------------------------------------------------------------------------
function script(name, verb) {
  return new Promise((resolve, reject) => execFile(join(repoRoot, `deploy/local/${name}.sh`), [verb], { env: process.env, maxBuffer: 1 << 22 }, (error, stdout, stderr) =>
    error ? reject(new Error(`${name}.sh ${verb}: ${stderr || stdout || error.message}`)) : resolve(stdout)));
}
const faultKinds = {
  'broker kill -9': async () => {
    const pid = Number(readFileSync(join(stateDir, 'pids/kafka.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    await sleep(1_000);
    await script('kafka', 'up');
  },
  'postgres restart': () => script('postgres', 'restart'),
  'redis down': async (seconds) => {
    await script('redis', 'down');
    await sleep(seconds * 1000);
    await script('redis', 'up');
  },
  'registry down': async (seconds) => {
    await script('apicurio', 'down');
    await sleep(seconds * 1000);
    await script('apicurio', 'up');
  },
  'embedding API 429/503': async (seconds) => {
    api.misbehaveUntil = Date.now() + seconds * 1000;
    api.halfAt = Date.now() + (seconds * 1000) / 2;
    await sleep(seconds * 1000);
  },
};
const schedule = short
  ? [['broker kill -9'], ['postgres restart'], ['redis down', 10]]
  : [['broker kill -9'], ['postgres restart'], ['redis down', 30], ['broker kill -9'], ['registry down', 30], ['postgres restart'], ['embedding API 429/503', 30], ['broker kill -9']];
const GAP_MS = short ? 8_000 : 15_000;
const injections = []; // { kind, start, end }

async function killWorkers(count, everyMs, random) {
  for (let i = 0; i < count; i++) {
    await sleep(everyMs);
    const live = slots.filter((s) => s.name !== 'gateway' && s.service && s.service.child.exitCode === null && s.service.child.signalCode === null && !s.killing);
    if (live.length === 0) { i--; continue; }
    const slot = live[Math.floor(random() * live.length)];
    slot.killing = true;
    slot.kills++;
    injections.push({ kind: 'worker kill -9', start: Date.now(), end: Date.now(), target: `${slot.name}#${slot.index}` });
    slot.service.child.kill('SIGKILL');
  }
}

// ---- analysis ------------------------------------------------------------------------------------
/** Longest interval with work outstanding and no document newly correct, overlapping [from, to]. */
function ingestionStalls() {
  const stalls = [];
  let since = null;
  let last = -1;
  for (const p of progress) {
    const behind = p.correct === null || p.correct < p.outstanding;
    if (p.correct !== null && p.correct > last) {
      if (since !== null) stalls.push({ from: since, to: p.at });
      since = behind ? p.at : null;
      last = p.correct;
    } else if (behind && since === null) since = p.at;
    else if (!behind && since !== null) { stalls.push({ from: since, to: p.at }); since = null; }
  }
  if (since !== null) stalls.push({ from: since, to: progress.at(-1)?.at ?? since });
  return stalls;
}
function queryStalls() {
  const ok = queries.filter((q) => q.status === 200).map((q) => q.at + q.ms).sort((a, b) => a - b);
  const stalls = [];
  for (let i = 1; i < ok.length; i++) stalls.push({ from: ok[i - 1], to: ok[i] });
  return stalls;
}
const longestOverlap = (stalls, from, to) => Math.max(0, ...stalls.filter((s) => s.to >= from && s.from <= to).map((s) => s.to - s.from));

async function verify(tenant) {
  const { documents, chunks } = await withTenant(pool, tenant, async (c) => ({
    documents: (await c.query('SELECT document_id, status, content_hash, failure_reason FROM ragmesh.documents')).rows,
    chunks: (await c.query('SELECT document_id, ordinal, text, chunk_id FROM ragmesh.chunks ORDER BY document_id, ordinal')).rows,
  }));
  const byDoc = new Map();
  for (const c of chunks) byDoc.set(c.document_id, [...(byDoc.get(c.document_id) ?? []), c.text]);
  const rows = new Map(documents.map((d) => [d.document_id, d]));
  const outcome = new Map(); // id -> 'ok' | 'lost' | 'duplicated' | 'stale' | 'dead-lettered'
  for (const [id, { expected: want }] of accepted) {
    const row = rows.get(id);
    const got = byDoc.get(id) ?? [];
    if (row?.status === 'failed') outcome.set(id, 'dead-lettered');
    else if (!row || row.status !== 'indexed') outcome.set(id, 'lost');
    else if (row.content_hash !== want.hash) outcome.set(id, 'stale');
    else if (got.length > want.chunks.length) outcome.set(id, 'duplicated');
    else if (JSON.stringify(got) !== JSON.stringify(want.chunks)) outcome.set(id, got.length < want.chunks.length ? 'lost' : 'stale');
    else outcome.set(id, 'ok');
  }
  const duplicateChunkIds = chunks.length - new Set(chunks.map((c) => c.chunk_id)).size;
  const unknownDocuments = documents.filter((d) => !accepted.has(d.document_id)).length;
  return { outcome, duplicateChunkIds, unknownDocuments, chunkRows: chunks.length };
}

async function dlqCount() {
  const kafka = new Kafka({ clientId: 'ragmesh-chaos', brokers: stack.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    let total = 0;
    for (const topic of ['documents.ingest.dlq', 'vectors.upsert.dlq']) {
      const offsets = await admin.fetchTopicOffsets(topic).catch(() => []);
      for (const p of offsets) total += Number(p.high) - Number(p.low);
    }
    return total;
  } finally {
    await admin.disconnect();
  }
}

// ---- the run ---------------------------------------------------------------------------------------
async function main() {
  mkdirSync(logDir, { recursive: true });
  await migrate(pool);
  const tenant = `chaos-${run}`;
  const key = (await createApiKeyStore(pool).create({ tenant })).key;
  const embeddingApi = await startEmbeddingApi();
  const dlqBefore = await dlqCount();

  const env = {
    KAFKA_BROKERS: stack.brokers.join(','), SCHEMA_REGISTRY_URL: stack.registryUrl, DATABASE_URL: stack.databaseUrl, REDIS_URL: stack.redisUrl,
    EMBEDDINGS_PROVIDER: 'openai', EMBEDDINGS_BASE_URL: embeddingApi.url, EMBEDDINGS_MODEL: MODEL, EMBEDDINGS_DIMS: String(DIMS),
    LOG_LEVEL: 'warn', KAFKAJS_NO_PARTITIONER_WARNING: '1', GATEWAY_PUBLISH_TIMEOUT_MS: '5000', KAFKA_SESSION_TIMEOUT_MS: '10000',
    CHUNK_EMBED_GROUP_ID: `chaos-${run}-chunk-embed`, INDEXER_GROUP_ID: `chaos-${run}-indexer`,
    RETRIEVER_GROUP_ID: `chaos-${run}-retriever`, GATEWAY_REPLY_GROUP_ID: `chaos-${run}-replies`,
  };
  // Fresh groups start at the end of the logs: this run's documents only.
  const admin = new Kafka({ clientId: 'ragmesh-chaos', brokers: stack.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  for (const [groupId, topic] of [[env.CHUNK_EMBED_GROUP_ID, 'documents.ingest'], [env.INDEXER_GROUP_ID, 'vectors.upsert'], [env.RETRIEVER_GROUP_ID, 'queries.request']]) {
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({ groupId, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
  }
  await admin.disconnect();

  for (const [name, count] of [['indexer', 2], ['chunk-embed', 2], ['retriever', 2], ['gateway', 1]]) {
    for (let index = 0; index < count; index++) {
      const slot = { name, index, service: null, kills: 0, unexpectedExits: [], killing: false };
      slots.push(slot);
      await startSlot(slot, env);
    }
  }
  const gatewayUrl = slots.find((s) => s.name === 'gateway').service.url;
  log(`mesh up: ${slots.map((s) => `${s.name}#${s.index}`).join(', ')}`);

  const corpus = (await loadScifact(dataDir, docsWanted)).docs.map((d) => ({ id: d.id, title: d.title || undefined, content: d.text }));
  let seed = 20261201;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const edits = corpus.filter(() => random() < 0.06).map((d) => ({ ...d, content: `${d.content} ${EDIT_SENTENCE}` }));
  const faultSeconds = schedule.reduce((sum, [, s]) => sum + (s ?? 5) + GAP_MS / 1000, 0);
  const batch = 25;
  const postEveryMs = Math.max(50, Math.floor(((faultSeconds + 10) * 1000) / Math.ceil((corpus.length + edits.length) / batch)));
  log(`${corpus.length} documents + ${edits.length} edits, a batch of ${batch} every ${postEveryMs} ms; ${schedule.length} faults, ${workerKills} worker kills`);

  const stopQueries = queryLoop(gatewayUrl, key, corpus.slice(0, 200).map((d) => d.title ?? d.content.slice(0, 80)));
  const stopProgress = progressLoop(tenant);
  const posting = (async () => {
    // An edit is posted a few batches or more after its original: the latest version is the one
    // accepted last, and it never shares a batch with the original.
    const position = new Map(corpus.map((d, i) => [d.id, i]));
    const items = [...corpus.map((d, i) => [i, d]), ...edits.map((e) => [position.get(e.id) + 2 * batch + Math.floor(random() * corpus.length * 0.25), e])]
      .sort((a, b) => a[0] - b[0]).map(([, d]) => d);
    for (let i = 0; i < items.length; i += batch) {
      const started = Date.now();
      const slice = items.slice(i, i + batch);
      const ids = new Set(slice.map((d) => d.id));
      if (ids.size < slice.length) {
        // Two versions in one batch (rare): one post each, in order.
        for (const d of slice) await postBatch(gatewayUrl, key, [d]);
      } else await postBatch(gatewayUrl, key, slice);
      await sleep(Math.max(0, postEveryMs - (Date.now() - started)));
    }
  })();
  const killing = killWorkers(workerKills, Math.floor((faultSeconds * 1000) / (workerKills + 1)), random);
  await sleep(GAP_MS / 2);
  for (const [kind, seconds] of schedule) {
    const start = Date.now();
    log(`fault: ${kind}${seconds ? ` ${seconds} s` : ''}`);
    await faultKinds[kind](seconds);
    injections.push({ kind, start, end: Date.now() });
    await sleep(GAP_MS);
  }
  await killing;
  await posting;
  log(`all ${accepted.size} documents accepted; waiting for the store`);
  const deadline = Date.now() + 10 * 60_000;
  while (Date.now() < deadline && (await correctNow(tenant).catch(() => -1)) < accepted.size) await sleep(1_000);
  await sleep(3_000); // anything late (a duplicate write) would land now
  await stopQueries();
  await stopProgress();
  supervising = false;

  const { outcome, duplicateChunkIds, unknownDocuments, chunkRows } = await verify(tenant);
  const dlq = (await dlqCount()) - dlqBefore;
  const iStalls = ingestionStalls();
  const qStalls = queryStalls();
  const kinds = [...new Set([...schedule.map(([k]) => k), 'worker kill -9'])];
  const perKind = kinds.map((kind) => {
    const windows = injections.filter((i) => i.kind === kind);
    const margin = 10_000;
    const inWindow = (t) => windows.some((w) => t >= w.start && t <= w.end + margin);
    const docs = [...accepted].filter(([, a]) => inWindow(a.acceptedAt)).map(([id]) => outcome.get(id));
    const count = (o) => docs.filter((x) => x === o).length;
    const qs = queries.filter((q) => inWindow(q.at));
    return {
      kind, injections: windows.length, documentsAccepted: docs.length,
      lost: count('lost'), duplicated: count('duplicated'), stale: count('stale'), deadLettered: count('dead-lettered'),
      queries: qs.length, failedQueries: qs.filter((q) => q.status !== 200).length,
      longestIngestionStallS: round(Math.max(0, ...windows.map((w) => longestOverlap(iStalls, w.start, w.end + margin))) / 1000, 1),
      longestQueryStallS: round(Math.max(0, ...windows.map((w) => longestOverlap(qStalls, w.start, w.end + margin))) / 1000, 1),
    };
  });
  const all = [...outcome.values()];
  const totals = {
    documents: accepted.size, chunkRows, lost: all.filter((o) => o === 'lost').length, duplicated: all.filter((o) => o === 'duplicated').length + duplicateChunkIds,
    stale: all.filter((o) => o === 'stale').length, deadLettered: all.filter((o) => o === 'dead-lettered').length, dlqMessages: dlq, unknownDocuments,
    queries: queries.length, failedQueries: queries.filter((q) => q.status !== 200).length,
    failedQueriesByStatus: Object.fromEntries([...new Set(queries.filter((q) => q.status !== 200).map((q) => q.status))].map((s) => [s === 0 ? 'no answer in 15 s' : String(s), queries.filter((q) => q.status === s).length])),
    queryP50Ms: percentile(queries.filter((q) => q.status === 200).map((q) => q.ms), 0.5), queryP99Ms: percentile(queries.filter((q) => q.status === 200).map((q) => q.ms), 0.99),
    posts: postLog.length, posts503: postLog.filter((p) => p.status === 503).length, postsUnanswered: postLog.filter((p) => p.status === 0).length,
    workerKills: slots.reduce((s, x) => s + x.kills, 0), unexpectedExits: slots.reduce((s, x) => s + x.unexpectedExits.length, 0),
    embeddingApiCalls: api.calls, durationS: round((Date.now() - t0) / 1000, 0),
  };
  const results = { when: new Date().toISOString(), short, commit: git(), host: hostFacts(), totals, perKind, injections: injections.map((i) => ({ ...i, atS: round((i.start - t0) / 1000, 1) })) };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'chaos.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(resultsDir, 'chaos.md'), markdown(results));
  console.log(markdown(results));

  for (const slot of slots) if (slot.service) await stopService(slot.service);
  await embeddingApi.close();
  await pool.end();
  const bad = totals.lost + totals.duplicated + totals.stale + totals.deadLettered + totals.dlqMessages + totals.unknownDocuments + totals.unexpectedExits;
  if (bad > 0) {
    console.error(`chaos: FAILED — lost ${totals.lost}, duplicated ${totals.duplicated}, stale ${totals.stale}, dead-lettered ${totals.deadLettered} (DLQ messages ${totals.dlqMessages}), unknown documents ${totals.unknownDocuments}, unexpected exits ${totals.unexpectedExits}`);
    process.exit(1);
  }
  console.log('chaos: every accepted document indexed exactly once with its latest content; nothing dead-lettered');
}

function percentile(values, q) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function git() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function markdown(r) {
  const t = r.totals;
  const lines = [
    `# Chaos run${r.short ? ' (short, make test)' : ''}`,
    '',
    `${r.when}, commit ${r.commit}, ${r.host.cpus} CPUs, load ${r.host.loadavg.l1.toFixed(2)} at the end. \`make chaos\` (\`bench/src/chaos.mjs\`).`,
    '',
    `${t.documents} documents (SciFact, with edits) posted through the gateway while ${t.queries} queries were asked (one every ${QUERY_EVERY_MS} ms);`,
    `gateway, retriever x2, chunk-embed x2, indexer x2 on a stack of the run's own; embeddings from an OpenAI-compatible stand-in serving the \`hash\` embedder. Duration ${t.durationS} s.`,
    '',
    '| fault | injections | docs accepted in its window | lost | duplicated | stale | dead-lettered | queries (failed) | longest ingestion stall | longest query stall |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...r.perKind.map((k) => `| ${k.kind} | ${k.injections} | ${k.documentsAccepted} | ${k.lost} | ${k.duplicated} | ${k.stale} | ${k.deadLettered} | ${k.queries} (${k.failedQueries}) | ${k.longestIngestionStallS} s | ${k.longestQueryStallS} s |`),
    `| **whole run** | ${r.injections.length} | ${t.documents} | ${t.lost} | ${t.duplicated} | ${t.stale} | ${t.deadLettered} | ${t.queries} (${t.failedQueries}) | | |`,
    '',
    `A fault's window runs from its injection to 10 s after it ended. Documents are checked against the chunks their latest version must give;`,
    `"stale" = indexed with an older version's content. DLQ messages during the run: ${t.dlqMessages}. Chunk rows: ${t.chunkRows}. Documents in the store nobody posted: ${t.unknownDocuments}.`,
    `Failed queries by answer: ${JSON.stringify(t.failedQueriesByStatus)}.`,
    `Posts answered 503 (retried after Retry-After): ${t.posts503} of ${t.posts}; unanswered: ${t.postsUnanswered}. Answered queries p50 ${t.queryP50Ms} ms, p99 ${t.queryP99Ms} ms.`,
    `Workers killed -9: ${t.workerKills}; unexpected exits: ${t.unexpectedExits}. Embedding API calls: ${t.embeddingApiCalls.ok} ok, ${t.embeddingApiCalls.rateLimited} answered 429, ${t.embeddingApiCalls.unavailable} answered 503.`,
    '',
  ];
  return lines.join('\n');
}

main().catch((error) => {
  console.error(error);
  killAll();
  process.exit(1);
});
