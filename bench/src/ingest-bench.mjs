// `make bench`: ingestion benchmarks on BEIR SciFact.
//  1. per provider (hash, local all-MiniLM-L6-v2): the raw embedder in-process on the exact chunk
//     texts the worker embeds, then the real mesh (chunk-embed + indexer from dist/, events
//     published to documents.ingest) from first publish to last document indexed; peak RSS.
//  2. with `local`: the mesh's first ingest / unchanged re-ingest / 1% edit against LangChain.js
//     index() + PostgresRecordManager + PGVectorStore with the same embedder and Postgres.
// Figures go to stdout and to bench/results/ (JSON per provider + ingest.md). Not a test: each
// target is printed as met or not met, nothing fails on a miss.
import { fork, execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { createEmbedder } from '@ragmesh/embeddings';
import { migrate } from '@ragmesh/store';
import { stackEnv } from '@ragmesh/testkit';
import { Redis } from 'ioredis';
import pg from 'pg';
import { editedDocuments, loadScifact, meshChunks } from './lib/corpus.mjs';
import {
  benchKafka, chunkEmbedCounters, createDocumentPublisher, ensureKafka, flushEmbeddingCache, groupLag, killAll, otherActiveWorkers, startGroupAtEnd,
  startService, stopService, storeCounts, waitIndexed,
} from './lib/mesh.mjs';
import { memoryOf, round, stackPids, startSampler } from './lib/procs.mjs';
import { printTargets, targetsFor, writeResults } from './lib/report.mjs';
import { benchDir, hostFacts, loadSettings, repoRoot } from './lib/settings.mjs';

const settings = loadSettings();
const runId = randomUUID().slice(0, 8);
const env = stackEnv();

let activeBroker = null;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    killAll();
    if (activeBroker && !settings.keepKafka) {
      try {
        activeBroker.stop();
      } catch {
        // best effort
      }
    }
    process.exit(130);
  });
}

function git(args) {
  try {
    return execFileSync('git', args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return null;
  }
}

/**
 * A digest of the built code the run exercises. Others rebuild packages while the benchmark
 * runs; a changed digest explains a mismatch between in-process and in-mesh chunk counts.
 */
function codeFingerprint() {
  const hash = createHash('sha256');
  for (const dir of ['packages/chunking/dist', 'packages/embeddings/dist', 'services/chunk-embed/dist', 'services/indexer/dist', 'packages/store/dist']) {
    let files = [];
    try {
      files = readdirSync(join(repoRoot, dir)).filter((f) => f.endsWith('.js')).sort();
    } catch {
      continue;
    }
    for (const f of files) hash.update(f).update(readFileSync(join(repoRoot, dir, f)));
  }
  return hash.digest('hex').slice(0, 12);
}

/** Embeds `texts` with calls of `batchSize` texts in corpus order: the call shape of the worker. */
/**
 * The texts in the worker's call shape: one embed() call per slice of `maxBatch` documents (the
 * embedder orders each call's texts by length and runs them `batchSize` at a time).
 */
function sliceGroups(expected, maxBatch) {
  const groups = [];
  let at = 0;
  for (let d = 0; d < expected.perDoc.length && at < expected.uniqueTexts.length; d += maxBatch) {
    const count = expected.perDoc.slice(d, d + maxBatch).reduce((a, b) => a + b, 0);
    groups.push(expected.uniqueTexts.slice(at, at + count));
    at += count;
  }
  if (at < expected.uniqueTexts.length) groups.push(expected.uniqueTexts.slice(at));
  return groups.filter((g) => g.length > 0);
}

async function measureRaw(embedder, groups, batchSize, label) {
  await embedder.embed(groups[0].slice(0, batchSize), 'document'); // warm-up, untimed
  const texts = groups.reduce((n, g) => n + g.length, 0);
  const sampler = startSampler({ bench: process.pid });
  const t0 = performance.now();
  let lastPrint = t0;
  let done = 0;
  for (const group of groups) {
    await embedder.embed(group, 'document');
    done += group.length;
    if (performance.now() - lastPrint > 15_000) {
      lastPrint = performance.now();
      console.log(`  raw ${label}: ${done}/${texts} texts, ${(done / ((lastPrint - t0) / 1000)).toFixed(1)}/s`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const host = sampler.stop();
  return { texts, calls: groups.length, batchSize, seconds: round(seconds, 3), chunksPerSecond: round(texts / seconds), host: { machineCpuUtilization: host.machineCpuUtilization, loadavg1: host.loadavg1, benchCpuSeconds: host.processes.bench.cpuSeconds } };
}

async function measureRawSorted(embedder, texts) {
  const t0 = performance.now();
  await embedder.embed(texts, 'document');
  const seconds = (performance.now() - t0) / 1000;
  return { texts: texts.length, seconds: round(seconds, 3), chunksPerSecond: round(texts.length / seconds) };
}

/**
 * Messages chunk-embed handled beyond the ones this step published: documents.ingest is shared,
 * so events other people publish while the benchmark runs are consumed (and embedded) too.
 */
function traffic(c0, c1, published) {
  const handled = c1.messages - c0.messages;
  return { messagesHandled: handled, foreignMessages: Math.max(0, handled - published), deadLettered: c1.deadLettered - c0.deadLettered, retries: c1.retries - c0.retries };
}

function warnTraffic(label, t) {
  if (t.foreignMessages > 0) console.log(`  note: ${label}: chunk-embed also handled ${t.foreignMessages} events published by someone else to documents.ingest; their texts count in "texts embedded"`);
  if (t.deadLettered > 0 || t.retries > 0) console.log(`  note: ${label}: ${t.deadLettered} dead-lettered, ${t.retries} retries`);
}

/** Runs the three mesh steps for one provider against freshly started services. */
async function runMesh({ provider, docs, edited, expectedChunks, expectedDistinct, pool, redis, kafka, broker, publisher }) {
  const modelId = provider === 'hash' ? `hash-${settings.hashDims}` : settings.model;
  const tenant = `bench-${provider}-${runId}`;
  const groups = { chunkEmbed: `bench-${runId}-${provider}-chunk-embed`, indexer: `bench-${runId}-${provider}-indexer` };
  const flushed = await flushEmbeddingCache(redis, modelId);
  console.log(`  flushed ${flushed} cached embeddings of ${modelId} (ragmesh:emb:${modelId}@*)`);
  await startGroupAtEnd(kafka, groups.chunkEmbed, 'documents.ingest');
  await startGroupAtEnd(kafka, groups.indexer, 'vectors.upsert');
  const serviceEnv = {
    KAFKA_BROKERS: broker.brokers.join(','), SCHEMA_REGISTRY_URL: env.registryUrl, DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl,
    EMBEDDINGS_PROVIDER: provider, EMBEDDINGS_MODEL: settings.model, EMBEDDINGS_DIMS: String(settings.hashDims),
    EMBEDDINGS_BATCH_SIZE: String(settings.batchSize), CHUNK_EMBED_MAX_BATCH: String(settings.maxBatch),
    CHUNK_EMBED_GROUP_ID: groups.chunkEmbed, INDEXER_GROUP_ID: groups.indexer, LOG_LEVEL: settings.logLevel, KAFKAJS_NO_PARTITIONER_WARNING: '1',
    ...(settings.modelsDir ? { EMBEDDINGS_MODELS_DIR: settings.modelsDir } : {}),
  };
  const services = {};
  const admin = kafka.admin();
  await admin.connect();
  const out = { tenant, groups, modelId, flushedCacheEntries: flushed, steps: {} };
  try {
    const logFile = (name) => join(benchDir, '.logs', `${runId}-${provider}-${name}.log`);
    services.indexer = await startService(repoRoot, 'indexer', serviceEnv, logFile('indexer'));
    services.chunkEmbed = await startService(repoRoot, 'chunk-embed', serviceEnv, logFile('chunk-embed'));
    out.logs = { chunkEmbed: logFile('chunk-embed'), indexer: logFile('indexer') };
    const watched = {
      'chunk-embed': services.chunkEmbed.pid, indexer: services.indexer.pid, bench: process.pid,
      ...stackPids(join(repoRoot, '.state')), ...stackPids(broker.stateDir),
    };
    const whole = startSampler(watched);
    const counters = () => chunkEmbedCounters(services.chunkEmbed);
    const others = async (label) => {
      const list = await otherActiveWorkers(admin, Object.values(groups)).catch(() => []);
      if (list.length > 0) console.log(`  note: ${label}: other chunk-embed/indexer groups are active and also consume these topics: ${list.join(', ')}`);
      return list;
    };

    // 1. first ingest: every document, nothing cached, nothing indexed for this tenant.
    {
      const c0 = await counters();
      const sampler = startSampler(watched);
      const version = Date.now();
      const othersBefore = await others(`${provider} first ingest`);
      const t0 = Date.now();
      await publisher.publish(tenant, docs, version, modelId);
      const published = Date.now();
      const progress = await waitIndexed(pool, { tenant, version, modelId, expected: docs.length, stallSeconds: settings.stallSeconds, label: `${provider} first ingest` });
      const seen = Date.now();
      const host = sampler.stop();
      const c1 = await counters();
      const store = await storeCounts(pool, tenant);
      const seconds = (seen - t0) / 1000;
      out.steps.first = {
        documents: docs.length, chunks: store.chunks, expectedChunks, seconds: round(seconds, 3),
        secondsToLastIndexedAt: round((progress.last_ms - t0) / 1000, 3), publishSeconds: round((published - t0) / 1000, 3),
        documentsPerSecond: round(docs.length / seconds), chunksPerSecond: round(store.chunks / seconds),
        modelTexts: c1.modelTexts - c0.modelTexts, cacheTexts: c1.cacheTexts - c0.cacheTexts, modelCalls: c1.modelCalls - c0.modelCalls,
        traffic: traffic(c0, c1, docs.length), otherWorkers: [...new Set([...othersBefore, ...(await others(`${provider} first ingest`))])], host,
      };
      warnTraffic(`${provider} first ingest`, out.steps.first.traffic);
      if (store.chunks !== expectedChunks) console.log(`  note: the store holds ${store.chunks} chunks for the tenant, the in-process chunking gives ${expectedChunks}`);
      if (out.steps.first.modelTexts + out.steps.first.cacheTexts < expectedDistinct) {
        console.log(`  note: chunk-embed saw ${out.steps.first.modelTexts + out.steps.first.cacheTexts} texts where the in-process chunking gives ${expectedDistinct}: the built chunking code changed (see codeFingerprint) or another mesh indexed some documents first`);
      }
      console.log(`  mesh ${provider} first ingest: ${docs.length} docs, ${store.chunks} chunks (expected ${expectedChunks}) in ${seconds.toFixed(1)} s → ${(docs.length / seconds).toFixed(1)} docs/s, ${(store.chunks / seconds).toFixed(1)} chunks/s; ${c1.modelTexts - c0.modelTexts} texts embedded`);
    }

    // 2. unchanged re-ingest: the same documents again under a new sourceTime; chunk-embed must skip them all.
    {
      const c0 = await counters();
      const sampler = startSampler(watched);
      const version = Date.now();
      const othersBefore = await others(`${provider} unchanged re-ingest`);
      const t0 = Date.now();
      await publisher.publish(tenant, docs, version, modelId);
      const published = Date.now();
      let lastMove = Date.now();
      let last = -1;
      for (;;) {
        const c = await counters();
        const skipped = c.skipped - c0.skipped;
        if (skipped >= docs.length && (await groupLag(admin, groups.chunkEmbed, 'documents.ingest')) === 0) break;
        if (skipped !== last) {
          last = skipped;
          lastMove = Date.now();
        } else if (Date.now() - lastMove > settings.stallSeconds * 1000) {
          throw new Error(`${provider} unchanged re-ingest: stalled at ${skipped}/${docs.length} skipped documents`);
        }
        // The step takes well under a second: a coarse poll would be a large part of what is timed.
        await sleep(20);
      }
      const seconds = (Date.now() - t0) / 1000;
      const host = sampler.stop();
      const c1 = await counters();
      out.steps.unchanged = {
        documents: docs.length, seconds: round(seconds, 3), publishSeconds: round((published - t0) / 1000, 3), documentsPerSecond: round(docs.length / seconds),
        skipped: c1.skipped - c0.skipped, modelTexts: c1.modelTexts - c0.modelTexts, cacheTexts: c1.cacheTexts - c0.cacheTexts, modelCalls: c1.modelCalls - c0.modelCalls,
        traffic: traffic(c0, c1, docs.length), otherWorkers: [...new Set([...othersBefore, ...(await others(`${provider} unchanged re-ingest`))])], host,
      };
      warnTraffic(`${provider} unchanged re-ingest`, out.steps.unchanged.traffic);
      console.log(`  mesh ${provider} unchanged re-ingest: ${docs.length} docs in ${seconds.toFixed(1)} s, ${c1.skipped - c0.skipped} skipped, ${c1.modelTexts - c0.modelTexts} texts embedded`);
    }

    // 3. 1% edit: the edited documents only (one sentence inserted mid-text).
    {
      const c0 = await counters();
      const sampler = startSampler(watched);
      const version = Date.now();
      const othersBefore = await others(`${provider} edit`);
      const t0 = Date.now();
      await publisher.publish(tenant, edited, version, modelId);
      await waitIndexed(pool, { tenant, version, modelId, expected: edited.length, ids: edited.map((d) => d.id), stallSeconds: settings.stallSeconds, label: `${provider} edit` });
      const seconds = (Date.now() - t0) / 1000;
      const host = sampler.stop();
      const c1 = await counters();
      const store = await storeCounts(pool, tenant);
      out.steps.edit = {
        documents: edited.length, seconds: round(seconds, 3), modelTexts: c1.modelTexts - c0.modelTexts, cacheTexts: c1.cacheTexts - c0.cacheTexts,
        modelCalls: c1.modelCalls - c0.modelCalls, storeChunksAfter: store.chunks, traffic: traffic(c0, c1, edited.length),
        otherWorkers: [...new Set([...othersBefore, ...(await others(`${provider} edit`))])], host,
      };
      warnTraffic(`${provider} edit`, out.steps.edit.traffic);
      console.log(`  mesh ${provider} 1% edit: ${edited.length} docs in ${seconds.toFixed(1)} s, ${c1.modelTexts - c0.modelTexts} texts embedded, ${c1.cacheTexts - c0.cacheTexts} from cache`);
    }

    // Peak memory, read before the services stop.
    const run = whole.stop();
    out.processes = run.processes;
    out.host = { machineCpuUtilization: run.machineCpuUtilization, loadavg1: run.loadavg1, seconds: run.seconds };
    return out;
  } finally {
    for (const s of [services.chunkEmbed, services.indexer]) if (s) await stopService(s);
    await admin.deleteGroups([groups.chunkEmbed, groups.indexer]).catch(() => undefined);
    await admin.disconnect();
  }
}

/** Removes a bench tenant's rows and its published-hash keys (BENCH_KEEP_DATA=1 keeps them). */
async function dropTenant(pool, redis, tenant) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT set_config('ragmesh.tenant_id', $1, true)", [tenant]);
    for (const table of ['chunks', 'staged_parts', 'documents', 'corpus_versions']) await client.query(`DELETE FROM ragmesh.${table}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    console.error(`  could not remove tenant ${tenant}: ${error.message}`);
  } finally {
    client.release();
  }
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `ragmesh:doc-hash:*:${tenant}:*`, 'COUNT', 2000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

function runLangchain() {
  return new Promise((resolve) => {
    const child = fork(join(benchDir, 'src/langchain-run.mjs'), [JSON.stringify({ ...settings, editDocs: settings.editCount })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let reply = null;
    child.on('message', (m) => (reply = m));
    child.on('exit', (code) => resolve(reply ?? { ok: false, error: `langchain-run exited with ${code} without a result` }));
  });
}

async function main() {
  const started = new Date();
  const corpus = await loadScifact(settings.scifactDir, settings.docs);
  const docs = corpus.docs;
  settings.editCount = settings.editDocs >= 0 ? settings.editDocs : Math.ceil(docs.length / 100);
  const edited = editedDocuments(docs, settings.editCount);
  const results = {
    benchmark: 'ingest', runId, startedAt: started.toISOString(),
    command: `make bench${settings.docs ? ` BENCH_DOCS=${settings.docs}` : ''}${process.env.BENCH_PROVIDERS ? ` BENCH_PROVIDERS=${process.env.BENCH_PROVIDERS}` : ''}`,
    git: { commit: git(['rev-parse', '--short', 'HEAD']), dirty: (git(['status', '--porcelain']) ?? '') !== '' },
    host: hostFacts(),
    corpus: { path: corpus.path, documents: docs.length, full: settings.docs === 0, editedDocuments: edited.length, edit: 'one sentence inserted at the sentence boundary nearest the middle of the text' },
    settings: { batchSize: settings.batchSize, maxBatch: settings.maxBatch, model: settings.model, lcChunkSize: settings.lcChunkSize, lcChunkOverlap: settings.lcChunkOverlap },
    providers: {},
    codeFingerprint: { start: codeFingerprint() },
  };
  console.log(`bench ${runId}: ${docs.length} SciFact documents from ${corpus.path}, providers ${settings.providers.join(', ')}; ${results.host.cpus} CPUs, load ${results.host.loadavg.l1.toFixed(2)}`);

  const pool = new pg.Pool({ connectionString: env.databaseUrl, max: 3 });
  await migrate(pool);
  const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: 3 });
  console.log(`kafka: ${settings.kafka === 'private' ? `the benchmark's own broker on 127.0.0.1:${settings.kafkaPort} (bench/.state)` : `the stack's broker ${env.brokers.join(',')}`}`);
  const broker = ensureKafka({ mode: settings.kafka, port: settings.kafkaPort, repoRoot, benchDir });
  activeBroker = broker;
  results.kafka = { mode: broker.mode, brokers: broker.brokers };
  const kafka = benchKafka(broker.brokers);
  const publisher = await createDocumentPublisher(kafka);
  try {
    for (const provider of settings.providers) {
      console.log(`\n== ${provider} ==`);
      const embedder = await createEmbedder(provider === 'hash' ? { provider: 'hash', dims: settings.hashDims } : { provider: 'local', modelId: settings.model, modelsDir: settings.modelsDir, batchSize: settings.batchSize });
      const t0 = performance.now();
      const expected = meshChunks(docs, embedder);
      const chunkingSeconds = (performance.now() - t0) / 1000;
      console.log(`  chunking in-process (as the worker does): ${expected.chunkCount} chunks, ${expected.uniqueTexts.length} distinct texts, ${chunkingSeconds.toFixed(1)} s`);
      const fingerprint = codeFingerprint();
      const tokens = expected.uniqueTexts.reduce((n, t) => n + Math.min(embedder.countTokens(t), embedder.model.maxTokens), 0);
      const entry = {
        codeFingerprint: fingerprint, model: embedder.model,
        chunking: { chunks: expected.chunkCount, distinctTexts: expected.uniqueTexts.length, tokens, meanTokens: round(tokens / Math.max(1, expected.uniqueTexts.length), 1), seconds: round(chunkingSeconds, 3) },
      };
      if (settings.raw) {
        entry.raw = await measureRaw(embedder, sliceGroups(expected, settings.maxBatch), settings.batchSize, provider);
        console.log(`  raw ${provider} embedder: ${entry.raw.texts} texts in ${entry.raw.seconds.toFixed(1)} s → ${entry.raw.chunksPerSecond} chunks/s (one call per ${settings.maxBatch} documents, runs of ${settings.batchSize})`);
        if (settings.rawSorted) {
          entry.rawSorted = await measureRawSorted(embedder, expected.uniqueTexts);
          console.log(`  raw ${provider} embedder, one call over all texts sorted by length: ${entry.rawSorted.chunksPerSecond} chunks/s`);
        }
      }
      await embedder.close();
      if (provider === 'local' && entry.raw) {
        // Mesh first ingest ≈ raw embedding + chunking; unchanged re-ingest ≈ chunking; LangChain ≈ raw embedding.
        const embedSeconds = expected.uniqueTexts.length / entry.raw.chunksPerSecond;
        const estimate = embedSeconds * (settings.langchain ? 2.1 : 1.1) + chunkingSeconds * 2;
        console.log(`  estimated time for the rest of the local run at this load: ~${Math.ceil(estimate / 60)} min`);
      }
      if (codeFingerprint() !== fingerprint) console.log('  note: the built code changed while chunking/raw ran (someone rebuilt); the mesh runs newer code than the in-process figures');
      entry.mesh = await runMesh({ provider, docs, edited, expectedChunks: expected.chunkCount, expectedDistinct: expected.uniqueTexts.length, pool, redis, kafka, broker, publisher });
      entry.codeFingerprintAfterMesh = codeFingerprint();
      if (entry.raw && provider === 'local' && settings.rawRecheck > 0) {
        // Bracket the mesh run: the host's load drifts, so time the raw embedder again on an even
        // sample of the same texts after the mesh and compare the mesh with the mean of both.
        const step = Math.max(1, Math.round(1 / settings.rawRecheck));
        const sample = sliceGroups(expected, settings.maxBatch).filter((_, i) => i % step === 0);
        const again = await createEmbedder({ provider: 'local', modelId: settings.model, modelsDir: settings.modelsDir, batchSize: settings.batchSize });
        entry.rawAfter = await measureRaw(again, sample, settings.batchSize, `${provider} (after the mesh, every ${step}th slice)`);
        await again.close();
        console.log(`  raw ${provider} embedder after the mesh: ${entry.rawAfter.texts} texts → ${entry.rawAfter.chunksPerSecond} chunks/s`);
      }
      if (entry.raw) {
        const first = entry.mesh.steps.first;
        const reference = entry.rawAfter ? (entry.raw.chunksPerSecond + entry.rawAfter.chunksPerSecond) / 2 : entry.raw.chunksPerSecond;
        entry.rawReferenceChunksPerSecond = round(reference);
        entry.meshToRaw = round(first.chunksPerSecond / reference, 3);
        entry.meshToRawBefore = round(first.chunksPerSecond / entry.raw.chunksPerSecond, 3);
        if (entry.rawAfter) entry.meshToRawAfter = round(first.chunksPerSecond / entry.rawAfter.chunksPerSecond, 3);
        // Wall-clock ratios swing with other load on the host; CPU seconds per chunk much less so.
        const rawCpu = entry.raw.host.benchCpuSeconds / entry.raw.texts;
        const ceCpu = first.host.processes['chunk-embed']?.cpuSeconds / first.chunks;
        const pipeCpu = ['chunk-embed', 'indexer', 'kafka'].reduce((n, k) => n + (first.host.processes[k]?.cpuSeconds ?? 0), 0) / first.chunks;
        entry.cpuPerChunk = { raw: round(rawCpu, 4), chunkEmbed: round(ceCpu, 4), chunkEmbedIndexerKafka: round(pipeCpu, 4), rawOverChunkEmbed: round(rawCpu / ceCpu, 3), rawOverPipeline: round(rawCpu / pipeCpu, 3) };
        console.log(`  mesh/raw throughput (wall clock): ${entry.meshToRaw} (vs raw before ${entry.meshToRawBefore}${entry.rawAfter ? `, after ${entry.meshToRawAfter}` : ''}); CPU-s per chunk: raw ${entry.cpuPerChunk.raw}, chunk-embed ${entry.cpuPerChunk.chunkEmbed}, chunk-embed+indexer+kafka ${entry.cpuPerChunk.chunkEmbedIndexerKafka}`);
      }
      if (process.env.BENCH_KEEP_DATA !== '1') await dropTenant(pool, redis, entry.mesh.tenant);
      results.providers[provider] = entry;
    }
    if (settings.langchain && settings.providers.includes('local')) {
      console.log('\n== LangChain.js (same local embedder, same Postgres server) ==');
      const sampleLoad = startSampler({});
      const reply = await runLangchain();
      const host = sampleLoad.stop();
      results.providers.local.langchain = reply.ok ? { ...reply.result, host: { machineCpuUtilization: host.machineCpuUtilization, loadavg1: host.loadavg1 } } : { error: reply.error };
      if (!reply.ok) console.log(`  LangChain could not run: ${reply.error}`);
    } else if (settings.langchain) {
      console.log('\n(LangChain comparison skipped: it needs the local provider in BENCH_PROVIDERS)');
    }
  } finally {
    await publisher.close().catch(() => undefined);
    redis.disconnect();
    await pool.end();
    if (!settings.keepKafka) broker.stop();
  }
  results.finishedAt = new Date().toISOString();
  results.codeFingerprint.end = codeFingerprint();
  if (results.codeFingerprint.end !== results.codeFingerprint.start) console.log('\nnote: the built code changed during the run (others rebuilt packages); figures may mix versions');
  results.host.loadavgAtEnd = hostFacts().loadavg;
  results.host.benchVmHwmMiB = round(memoryOf(process.pid)?.hwmMiB);
  results.targets = targetsFor(results);
  printTargets(results);
  const files = await writeResults(settings.resultsDir, results);
  console.log(`\nwrote ${files.join(', ')}`);
}

main().catch((error) => {
  killAll();
  console.error(error);
  process.exit(1);
});
