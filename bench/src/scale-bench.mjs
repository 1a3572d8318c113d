// `make bench-scale`: the search's cost from 100k to 1M chunks. Two tenants in a database of their
// own (kept between runs: a second run only measures), `scale-100k` and `scale-1m`, each filled
// with distinct synthetic chunks (three SciFact sentences per chunk, combined so that no two chunks
// share a text) and `hash` vectors, through the bulk fill of re-index generations: the index writer
// writes rows into a building generation, then `createVectorIndex` builds the HNSW index once over
// them and the tenant is cut over, as `ragmesh reindex cutover` does.
// Measured per size, in-process on the searcher (Postgres is what grows):
// - dense, sparse and hybrid at BENCH_SCALE_QPS (10) open loop for BENCH_SCALE_SECONDS (30) each:
//   p50/p99 and CPU per query (this process + every Postgres process);
// - the dense leg's recall@10 against an exact scan, without and with a metadata filter (10%).
// Writes bench/results/scale.{json,md}.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { createHashEmbedder } from '@ragmesh/embeddings';
import { createSearcher } from '@ragmesh/retrieval';
import { analyzeTables, createGenerationStore, createIndexWriter, createPool, createVectorIndex, migrate, vectorIndexName, withTenant } from '@ragmesh/store';
import { openLoop, percentiles } from './lib/open-loop.mjs';
import { cpuSecondsOfCommand, round } from './lib/procs.mjs';
import { repoRoot } from './lib/settings.mjs';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://ragmesh:ragmesh@127.0.0.1:5432/ragmesh_scale';
const dataDir = process.env.SCIFACT_DIR ?? join(repoRoot, '../shared/datasets/beir/scifact');
const qps = Number(process.env.BENCH_SCALE_QPS ?? 10);
const seconds = Number(process.env.BENCH_SCALE_SECONDS ?? 30);
// Queries of the recall check at 100k chunks; fewer at larger sizes (each needs an exact scan of
// the tenant), at least 50.
const recallQueriesAt100k = Number(process.env.BENCH_SCALE_RECALL_QUERIES ?? 200);
// The product's knobs of the recall/CPU trade-off, as the indexer and the retriever read them. The
// graph applies when the index is built (drop chunks_hnsw_g<id> in ragmesh_scale to rebuild it).
const graph = { m: Number(process.env.VECTOR_INDEX_M ?? 16), efConstruction: Number(process.env.VECTOR_INDEX_EF_CONSTRUCTION ?? 64) };
const minEfSearch = Number(process.env.RETRIEVER_HNSW_EF_SEARCH ?? 40);
// Also measure recall@10 and the dense leg's CPU at each of these hnsw.ef_search values (comma list,
// e.g. 40,100,250,500,1000), against the same exact top 10s: the trade-off curve of the graph.
const efSweep = (process.env.BENCH_SCALE_EF_SWEEP ?? '').split(',').filter(Boolean).map(Number);
const recallQueriesFor = (chunks) => Math.max(50, Math.round((recallQueriesAt100k * 100_000) / Math.max(chunks, 100_000)));
const sizes = (process.env.BENCH_SCALE_SIZES ?? '100k:100000,1m:1000000').split(',').map((s) => {
  const [label, n] = s.split(':');
  return { label, chunks: Number(n) };
});
const CHUNKS_PER_DOC = 10;
const DOCS_PER_APPLY = 100;
const embedder = createHashEmbedder({ dims: 384 });
const model = { id: embedder.model.id, dims: embedder.model.dims };

const readJsonl = (file) => readFileSync(join(dataDir, file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const corpus = readJsonl('corpus.jsonl');
const queryTexts = readJsonl('queries.jsonl').map((q) => q.text);
// Distinct sentences of SciFact, each with its document's title.
const seen = new Set();
const sentences = [];
const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
for (const d of corpus) {
  for (const { segment } of segmenter.segment(d.text)) {
    const s = segment.trim();
    if (s.length >= 40 && !seen.has(s)) {
      seen.add(s);
      sentences.push({ s, title: d.title });
    }
  }
}
const S = sentences.length;
/** Chunk i: sentence a = i mod S, then two more chosen by (a, q = i div S); (a, q) is unique per i, and so is the text. */
function chunkText(i) {
  const a = i % S;
  const q = Math.floor(i / S);
  if (997 * (q + 1) >= S) throw new Error(`too many chunks for ${S} sentences`);
  const b = (a + 1 + 997 * q) % S;
  const c = (a * 31 + 7 * q + 2) % S;
  return { title: sentences[a].title, text: `${sentences[a].s} ${sentences[b].s} ${sentences[c].s}` };
}

const pool = createPool({ connectionString: databaseUrl, max: 4, applicationName: 'ragmesh-bench-scale' });
await migrate(pool);
const generations = createGenerationStore(pool);
const writer = createIndexWriter(pool);

async function countOf(tenant, generation) {
  const { rows } = await withTenant(pool, tenant, (c) => c.query('SELECT count(*)::int AS n FROM ragmesh.chunks WHERE generation_id = $1', [generation]));
  return rows[0].n;
}

/** The tenant's generation holding `chunks` rows with its vector index, filled and cut over on the first run. */
async function ensureFilled({ label, chunks }) {
  const tenant = `scale-${label}`;
  const spec = { provider: 'hash', modelId: model.id, dims: model.dims };
  const defaultGeneration = await generations.ensureDefault(spec);
  const active = await generations.activeFor(tenant, defaultGeneration.id);
  if (active.id !== defaultGeneration.id && active.vectorIndexed && (await countOf(tenant, active.id)) >= chunks) {
    return { tenant, generation: active.id, loadSeconds: null, indexSeconds: null, reused: true };
  }
  // An interrupted fill resumes: documents go in in order, a batch per transaction, so the
  // documents present are a prefix of the sequence.
  const building = (await generations.tenantStates({ tenant })).find((s) => s.state === 'building');
  const generation = building ? { id: building.generation } : (await generations.start({ spec, tenant })).generation;
  const { rows: present } = await withTenant(pool, tenant, (c) => c.query('SELECT count(*)::int AS n FROM ragmesh.documents WHERE generation_id = $1', [generation.id]));
  const firstDoc = Math.floor(present[0].n / DOCS_PER_APPLY) * DOCS_PER_APPLY;
  if (firstDoc > 0) console.log(`  ${tenant}: resuming an interrupted fill at document ${firstDoc}`);
  const { createHash } = await import('node:crypto');
  const hex = (s) => createHash('sha256').update(s).digest('hex');
  const started = performance.now();
  let version = Date.now();
  for (let doc = firstDoc; doc * CHUNKS_PER_DOC < chunks; doc += DOCS_PER_APPLY) {
    const versions = [];
    for (let d = doc; d < doc + DOCS_PER_APPLY && d * CHUNKS_PER_DOC < chunks; d++) {
      const texts = [];
      for (let k = 0; k < CHUNKS_PER_DOC && d * CHUNKS_PER_DOC + k < chunks; k++) texts.push(chunkText(d * CHUNKS_PER_DOC + k));
      const vectors = await embedder.embed(texts.map((t) => `${t.title}\n\n${t.text}`), 'document');
      const documentId = `doc-${d}`;
      versions.push({
        op: 'UPSERT', documentId, version: ++version, contentHash: hex(texts.map((t) => t.text).join('\n')), uri: null, title: texts[0].title,
        metadata: { bucket: String(d % 10) }, chunking: 'default', model: { ...model, version: '1' }, generation: generation.id,
        part: 0, partCount: 1, chunkCount: texts.length,
        chunks: texts.map((t, k) => ({ chunkId: hex(`${tenant}\u0000${documentId}\u0000${k}`).slice(0, 32), ordinal: k, text: t.text, textHash: hex(t.text), tokenCount: embedder.countTokens(t.text), embedding: Array.from(vectors[k]) })),
      });
    }
    await writer.apply(tenant, versions);
    if ((doc / DOCS_PER_APPLY) % 20 === 0) process.stdout.write(`\r  ${tenant}: ${Math.min(chunks, (doc + DOCS_PER_APPLY) * CHUNKS_PER_DOC)} / ${chunks} chunks, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  const loadSeconds = firstDoc > 0 ? null : (performance.now() - started) / 1000; // a resumed fill's time is not the fill's
  process.stdout.write(`\n  ${tenant}: rows in ${((performance.now() - started) / 1000).toFixed(0)} s; building the HNSW index\n`);
  const indexStarted = performance.now();
  // One build over all rows, with the graph in memory (pgvector builds far slower once it spills)
  // and Postgres's parallel maintenance workers, as an operator would run a large build.
  const buildUrl = new URL(databaseUrl);
  buildUrl.searchParams.set('options', `-c maintenance_work_mem=${process.env.BENCH_SCALE_BUILD_MEMORY ?? '3GB'} -c max_parallel_maintenance_workers=2`);
  const buildPool = createPool({ connectionString: buildUrl.toString(), max: 1, applicationName: 'ragmesh-bench-scale-build' });
  await createVectorIndex(buildPool, { generation: generation.id, dims: model.dims, graph });
  await buildPool.end();
  await generations.markVectorIndexed(generation.id);
  const indexSeconds = (performance.now() - indexStarted) / 1000;
  await generations.cutover(tenant);
  await analyzeTables(pool);
  console.log(`  ${tenant}: HNSW index in ${indexSeconds.toFixed(0)} s`);
  return { tenant, generation: generation.id, loadSeconds: loadSeconds === null ? null : round(loadSeconds, 1), indexSeconds: round(indexSeconds, 1), reused: false };
}


/** m and ef_construction of the generation's HNSW index as built (pgvector's defaults when the index names none). */
async function graphOf(generation) {
  const { rows } = await pool.query("SELECT coalesce(reloptions, '{}') AS options FROM pg_class WHERE relname = $1", [vectorIndexName(generation)]);
  const option = (key, fallback) => Number(rows[0]?.options.find((o) => o.startsWith(`${key}=`))?.split('=')[1] ?? fallback);
  return { m: option('m', 16), efConstruction: option('ef_construction', 64) };
}

const searcher = createSearcher({ pool, minEfSearch });
const exactSearcher = createSearcher({ pool, exactScanBelow: Number.MAX_SAFE_INTEGER });
const vectors = new Map();
async function vectorOf(text) {
  if (!vectors.has(text)) vectors.set(text, (await embedder.embed([text], 'query'))[0]);
  return vectors.get(text);
}
const pick = (i) => queryTexts[(i * 7919) % queryTexts.length];

async function measure(target, mode) {
  const pg0 = cpuSecondsOfCommand('postgres');
  const me0 = process.cpuUsage();
  const { samples, total } = await openLoop({
    qps,
    seconds,
    run: async (i) => {
      const text = pick(i);
      const queryVector = mode === 'sparse' ? null : await vectorOf(text);
      await searcher.search({ tenant: target.tenant, model, generation: target.generation, queryVector, text, topK: 10, mode });
    },
  });
  const me = process.cpuUsage(me0);
  const cpu = (cpuSecondsOfCommand('postgres') - pg0) * 1000 + (me.user + me.system) / 1000;
  const { p50, p99 } = percentiles(samples.map((s) => s.ms));
  return { p50Ms: round(p50), p99Ms: round(p99), cpuPerQueryMs: round(cpu / total), errors: total - samples.length };
}

const recallRequest = async (target, i, filter) => {
  const text = pick(i * 5);
  return { tenant: target.tenant, model, generation: target.generation, queryVector: await vectorOf(text), text, topK: 10, mode: 'dense', ...(filter ? { filter } : {}) };
};

/** The exact top 10 of each recall query (one scan of the tenant each), shared by every ef_search measured. */
async function exactTopTens(target, filter) {
  const truths = [];
  for (let i = 0; i < recallQueriesFor(target.chunks); i++) {
    const { hits } = await exactSearcher.search(await recallRequest(target, i, filter));
    truths.push(new Set(hits.map((h) => h.chunkId)));
  }
  return truths;
}

/** Recall@10 of `approx` against the exact top 10s, and its CPU per query (this process + Postgres), one query at a time. */
async function recallAt10(approx, target, filter, truths) {
  const requests = [];
  for (let i = 0; i < truths.length; i++) requests.push(await recallRequest(target, i, filter));
  const pg0 = cpuSecondsOfCommand('postgres');
  const me0 = process.cpuUsage();
  let sum = 0;
  for (const [i, request] of requests.entries()) {
    const { hits } = await approx.search(request);
    sum += truths[i].size === 0 ? 1 : hits.filter((h) => truths[i].has(h.chunkId)).length / truths[i].size;
  }
  const me = process.cpuUsage(me0);
  const cpu = (cpuSecondsOfCommand('postgres') - pg0) * 1000 + (me.user + me.system) / 1000;
  return { recall: round(sum / truths.length, 4), cpuPerQueryMs: round(cpu / truths.length) };
}

// Sizes measured by an earlier run and not asked for in this one stay in the results (each with
// its own commit): BENCH_SCALE_SIZES=1m:1000000 measures 1M again and keeps the 100k figures.
const resultsPath = join(repoRoot, 'bench/results/scale.json');
const earlier = existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, 'utf8')) : null;
const kept = (earlier?.sizes ?? []).filter((e) => !sizes.some((size) => size.label === e.label)).map((e) => ({ commit: earlier.commit, ...e }));
const results = [...kept];
/** The ef_search sweeps (BENCH_SCALE_EF_SWEEP) as one table, or nothing. */
function sweepTable(measured) {
  const rows = measured.flatMap((r) => (r.efSweep ?? []).map((e) => `| ${r.label} | ${r.graph ? `${r.graph.m}/${r.graph.efConstruction}` : 'n/a'} | ${e.efSearch} | ${e.recall} | ${e.recallFiltered} | ${e.cpuPerQueryMs} | ${e.cpuPerQueryMsFiltered} |`));
  if (rows.length === 0) return [];
  return ['', 'hnsw.ef_search against recall@10 and the dense leg\'s CPU per query (one query at a time; filter: 10% of the tenant):', '', '| size | graph m/ef_construction | ef_search | recall@10 | filtered | CPU ms/query | filtered |', '|---|---|---:|---:|---:|---:|---:|', ...rows];
}

/** Writes what has been measured so far: a 1M fill that does not finish still leaves the 100k figures. */
function report() {
  const small = results.find((r) => r.label === '100k');
  const large = results.find((r) => r.label === '1m');
  const hybridCostRatio = small && large ? round(large.hybrid.cpuPerQueryMs / small.hybrid.cpuPerQueryMs, 3) : null;
  const denseRecallAt10 = Math.min(...results.flatMap((r) => [r.denseRecallAt10, r.denseRecallAt10Filtered]));
  const output = {
    benchmark: 'scale',
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim(),
    loadavg: loadavg(),
    qps, seconds, sentences: S,
    sizes: results,
    hybridCostRatio,
    denseRecallAt10,
    targets: { hybridCostRatioLe: 2, denseRecallAt10Ge: 0.95 },
    met: { hybridCostRatio: hybridCostRatio === null ? null : hybridCostRatio <= 2, denseRecallAt10: denseRecallAt10 >= 0.95 },
  };
  const f = (x) => (x === null || x === undefined ? 'n/a' : String(x));
  const md = [
    '# Search cost from 100k to 1M chunks (`make bench-scale`)',
    '',
    `Distinct synthetic chunks (three SciFact sentences each), \`hash\` vectors, loaded by the bulk fill of a re-index generation (rows, then one HNSW build). In-process searcher, ${qps} q/s open loop for ${seconds} s per mode; CPU = this process + all Postgres processes, per query.`,
    '',
    '| size | chunks | load s | HNSW build s | mode | p50 ms | p99 ms | CPU ms/query |',
    '|---|---:|---:|---:|---|---:|---:|---:|',
    ...results.flatMap((r) => ['dense', 'sparse', 'hybrid'].map((m) => `| ${r.label} | ${r.chunksPresent} | ${f(r.loadSeconds)} | ${f(r.indexSeconds)} | ${m} | ${r[m].p50Ms} | ${r[m].p99Ms} | ${r[m].cpuPerQueryMs} |`)),
    '',
    `Dense recall@10 against an exact scan: ${results.map((r) => `${r.label} ${r.denseRecallAt10} (filtered to 10%: ${r.denseRecallAt10Filtered}; ${r.recallQueries} queries)`).join('; ')}.`,
    ...sweepTable(results),
    '',
    '| target | value | |',
    '|---|---|---|',
    `| hybrid CPU per query at 1M <= 2x at 100k | ${f(hybridCostRatio)} | ${hybridCostRatio === null ? 'not measured' : output.met.hybridCostRatio ? 'MET' : 'NOT MET'} |`,
    `| dense recall@10 >= 0.95 at both sizes, with and without filter (lowest) | ${denseRecallAt10} | ${output.met.denseRecallAt10 ? 'MET' : 'NOT MET'} |`,
    '',
    `Commit ${output.commit}; load average at the end ${output.loadavg.map((l) => l.toFixed(2)).join(' ')}. A size whose load/build figures read n/a was filled by an earlier run.`,
  ];
  mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
  writeFileSync(resultsPath, `${JSON.stringify(output, null, 2)}\n`);
  writeFileSync(join(repoRoot, 'bench/results/scale.md'), `${md.join('\n')}\n`);
  return md;
}

for (const size of sizes) {
  const r = { ...size, ...(await ensureFilled(size)) };
  r.chunksPresent = await countOf(r.tenant, r.generation);
  r.graph = await graphOf(r.generation);
  // The fill's dead tuples and visibility map settled before measuring: otherwise autovacuum does
  // it during a measured phase and its CPU counts as the queries'.
  await pool.query('VACUUM (ANALYZE) ragmesh.chunks, ragmesh.documents');
  // Warm: every query once (plans, BM25 statistics, the index's pages).
  for (let i = 0; i < queryTexts.length; i++) await searcher.search({ tenant: r.tenant, model, generation: r.generation, queryVector: await vectorOf(pick(i * 8)), text: pick(i * 8), topK: 10, mode: 'hybrid' });
  for (const mode of ['dense', 'sparse', 'hybrid']) {
    r[mode] = await measure(r, mode);
    console.log(`  ${r.label} ${mode}: p50 ${r[mode].p50Ms} ms, p99 ${r[mode].p99Ms} ms, CPU ${r[mode].cpuPerQueryMs} ms/query`);
  }
  const filter = { eq: { field: 'bucket', value: '3' } };
  const truths = await exactTopTens(r, null);
  const filteredTruths = await exactTopTens(r, filter);
  r.recallQueries = truths.length;
  r.efSearch = minEfSearch;
  ({ recall: r.denseRecallAt10 } = await recallAt10(searcher, r, null, truths));
  ({ recall: r.denseRecallAt10Filtered } = await recallAt10(searcher, r, filter, filteredTruths));
  console.log(`  ${r.label} dense recall@10: ${r.denseRecallAt10} (filter bucket=3: ${r.denseRecallAt10Filtered})`);
  r.efSweep = [];
  for (const efSearch of efSweep) {
    const swept = createSearcher({ pool, minEfSearch: efSearch });
    const plain = await recallAt10(swept, r, null, truths);
    const filtered = await recallAt10(swept, r, filter, filteredTruths);
    r.efSweep.push({ efSearch, recall: plain.recall, recallFiltered: filtered.recall, cpuPerQueryMs: plain.cpuPerQueryMs, cpuPerQueryMsFiltered: filtered.cpuPerQueryMs });
    console.log(`  ${r.label} ef_search ${efSearch}: recall@10 ${plain.recall} (filtered ${filtered.recall}), dense CPU ${plain.cpuPerQueryMs} ms/query (filtered ${filtered.cpuPerQueryMs})`);
  }
  r.commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  results.push(r);
  results.sort((a, b) => a.chunks - b.chunks);
  report();
}
await pool.end();
console.log(report().slice(4).join('\n'));
