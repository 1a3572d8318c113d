// `make eval`: retrieval quality on BEIR SciFact (test split): nDCG@10 (trec_eval ndcg_cut.10,
// linear gain) and recall@100 for sparse, dense and hybrid, with all-MiniLM-L6-v2, its int8 export
// all-MiniLM-L6-v2-q and bge-small-en-v1.5, printed beside the published baselines and written to bench/results/.
// The corpus goes through the product's own chunker, embedder and index writer into one tenant per
// model; a second run reuses that tenant when it is complete (EVAL_REINDEX=1 forces a rebuild).
// EVAL_PII_REDACTION=1 indexes and asks as a tenant with PII redaction on (documents, titles and
// questions tokenized as chunk/embed and the gateway do) -> bench/results/eval-scifact-pii.*
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chunkDocument, contentHash, getPolicy, normalizeContent, sha256Hex } from '@ragmesh/chunking';
import { createEmbedder } from '@ragmesh/embeddings';
import { createPiiVault } from '@ragmesh/pii';
import { createSearcher } from '@ragmesh/retrieval';
import { loadScifactJudgements, ndcgAt10 } from './lib/corpus.mjs';
import { createGenerationStore, createIndexWriter, createPool, migrate, withTenant } from '@ragmesh/store';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = process.env.SCIFACT_DIR ?? resolve(root, '../shared/datasets/beir/scifact');
const models = (process.env.EVAL_MODELS ?? 'all-MiniLM-L6-v2,all-MiniLM-L6-v2-q,bge-small-en-v1.5').split(',');
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://ragmesh:ragmesh@127.0.0.1:5432/ragmesh';
const published = {
  'BM25 (BEIR paper)': 0.665,
  'BM25 flat (Anserini)': 0.6789,
  'all-MiniLM-L6-v2 (MTEB)': 0.64508,
  'bge-small-en-v1.5 (MTEB)': 0.71273,
};
const targets = { 'all-MiniLM-L6-v2': 0.7, 'bge-small-en-v1.5': 0.73 };
const pii = process.env.EVAL_PII_REDACTION === '1';
// A fixed key: tokens stay the same across runs, so a reused index and new questions agree.
const vault = createPiiVault(createHash('sha256').update('ragmesh eval pii key').digest());
let redacted = 0;
const redactFor = (tenant) => (text) => {
  if (!pii) return text;
  const { text: out, values } = vault.redact(tenant, text);
  redacted += values.size;
  return out;
};

const readJsonl = (file) => readFileSync(join(dataDir, file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const corpus = readJsonl('corpus.jsonl');
const { queries, qrels } = loadScifactJudgements(dataDir);
function recallAt100(ranked, relevant) {
  const top = new Set(ranked.slice(0, 100));
  return [...relevant.keys()].filter((d) => top.has(d)).length / relevant.size;
}

async function ensureIndexed(pool, embedder, { tenant, generation }) {
  const { rows } = await withTenant(pool, tenant, (c) => c.query("SELECT count(*)::int AS n FROM ragmesh.documents WHERE status = 'indexed' AND generation_id = $1", [generation]));
  if (rows[0].n === corpus.length && process.env.EVAL_REINDEX !== '1') return { reused: true, seconds: 0 };
  const writer = createIndexWriter(pool);
  const policy = getPolicy('default');
  const started = performance.now();
  const redact = redactFor(tenant);
  let version = Date.now();
  for (let i = 0; i < corpus.length; i += 64) {
    const docs = corpus.slice(i, i + 64).map((d) => {
      const normalized = normalizeContent({ content: d.text, contentType: 'text/plain' });
      const chunks = chunkDocument({ text: redact(normalized), title: redact(d.title), policy, countTokens: (t) => embedder.countTokens(t), maxTokens: embedder.model.maxTokens });
      return { d, normalized, chunks };
    });
    const texts = docs.flatMap((x) => x.chunks.map((c) => c.embedText));
    const vectors = await embedder.embed(texts, 'document');
    let at = 0;
    const versions = docs.map(({ d, normalized, chunks }) => ({
      op: 'UPSERT', documentId: d._id, version: ++version,
      contentHash: contentHash({ normalized, policy: 'default', modelId: embedder.model.id }),
      uri: null, title: redact(d.title), metadata: {}, chunking: 'default',
      model: { id: embedder.model.id, version: embedder.model.version, dims: embedder.model.dims }, generation,
      part: 0, partCount: 1, chunkCount: chunks.length,
      chunks: chunks.map((c) => {
        const textHash = sha256Hex(c.embedText);
        const vector = vectors[at++];
        return { chunkId: createHash('sha256').update(`${d._id}\u0000${textHash}\u0000${c.ordinal}`).digest('hex').slice(0, 32), ordinal: c.ordinal, text: c.text, textHash, tokenCount: c.tokenCount, embedding: Array.from(vector) };
      }),
    }));
    await writer.apply(tenant, versions);
    if ((i / 64) % 10 === 0) process.stdout.write(`\r  ${embedder.model.id}: indexed ${Math.min(i + 64, corpus.length)}/${corpus.length} documents`);
  }
  process.stdout.write('\n');
  return { reused: false, seconds: (performance.now() - started) / 1000 };
}

const pool = createPool({ connectionString: databaseUrl, max: 4, applicationName: 'ragmesh-eval' });
await migrate(pool);
// EVAL_SPARSE_CANDIDATES: the sparse leg's candidate budget (the searcher's maxSparseCandidates; the retriever's RETRIEVER_SPARSE_CANDIDATES).
// EVAL_TOP_K: hits asked per query (100, so recall@100 is defined; a smaller one shows what a user's topK gets, nDCG@10 only).
const topK = Number(process.env.EVAL_TOP_K ?? 100);
const sparseCandidates = process.env.EVAL_SPARSE_CANDIDATES ? Number(process.env.EVAL_SPARSE_CANDIDATES) : undefined;
const searcher = createSearcher({ pool, maxSparseCandidates: sparseCandidates });
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
const results = { dataset: 'BEIR SciFact test', piiRedaction: pii, queries: qrels.size, topK, sparseCandidates: sparseCandidates ?? 'default (1000)', published, targets, models: {} };
for (const modelId of models) {
  const embedder = await createEmbedder({ provider: 'local', modelId, modelsDir: process.env.EMBEDDINGS_MODELS_DIR });
  const tenant = `eval-scifact-${modelId}${pii ? '-pii' : ''}`;
  const redactQuestion = redactFor(tenant);
  // The model's default generation, the eval tenant's active one (what the retriever would read).
  const generations = createGenerationStore(pool);
  const generation = (await generations.ensureDefault({ provider: 'local', modelId, dims: embedder.model.dims })).id;
  await generations.activeFor(tenant, generation);
  const indexing = await ensureIndexed(pool, embedder, { tenant, generation });
  const modes = {};
  for (const mode of ['sparse', 'dense', 'hybrid']) {
    let ndcg = 0;
    let recall = 0;
    for (const [qid, relevant] of qrels) {
      const text = redactQuestion(queries.get(qid) ?? '');
      const queryVector = mode === 'sparse' ? null : (await embedder.embed([text], 'query'))[0];
      const { hits } = await searcher.search({ tenant, model: { id: embedder.model.id, dims: embedder.model.dims }, generation, queryVector, text, topK, mode });
      // A document scores as its best chunk: hits come best first, so keep first appearances.
      const ranked = [...new Set(hits.map((h) => h.documentId))];
      ndcg += ndcgAt10(ranked, relevant);
      recall += recallAt100(ranked, relevant);
    }
    modes[mode] = { ndcg10: ndcg / qrels.size, recall100: recall / qrels.size };
  }
  results.models[modelId] = { indexing, modes, commit, at: new Date().toISOString() };
  await embedder.close();
}
await pool.end();
// Models measured by an earlier run and not this one stay in the results, each with its own commit
// and time (EVAL_MODELS=<one model> refreshes that model only).
const name = pii ? 'eval-scifact-pii' : 'eval-scifact';
const earlierPath = join(root, `bench/results/${name}.json`);
const earlier = existsSync(earlierPath) ? JSON.parse(readFileSync(earlierPath, 'utf8')) : null;
if (earlier && earlier.topK === results.topK && earlier.sparseCandidates === results.sparseCandidates) {
  for (const [model, entry] of Object.entries(earlier.models ?? {})) if (!(model in results.models)) results.models[model] = entry;
}

const lines = ['| model | mode | nDCG@10 | recall@100 | measured at (commit) |', '|---|---|---|---|---|'];
for (const [model, { modes, commit: at, at: when }] of Object.entries(results.models)) {
  for (const [mode, m] of Object.entries(modes)) lines.push(`| ${model} | ${mode} | ${m.ndcg10.toFixed(4)} | ${m.recall100.toFixed(4)} | ${when ? `${when.slice(0, 16)} (${at})` : 'earlier run'} |`);
}
lines.push('', '| published baseline | nDCG@10 |', '|---|---|', ...Object.entries(published).map(([k, v]) => `| ${k} | ${v} |`));
for (const [model, target] of Object.entries(targets)) {
  const hybrid = results.models[model]?.modes.hybrid.ndcg10;
  if (hybrid !== undefined) lines.push('', `target hybrid ${model} >= ${target}: ${hybrid >= target ? 'MET' : 'NOT MET'} (${hybrid.toFixed(4)})`);
}
if (pii) lines.push('', `PII redaction on: ${redacted} values replaced by tokens while indexing and asking (a reused index counts only the questions)`);
console.log(lines.join('\n'));
mkdirSync(join(root, 'bench/results'), { recursive: true });
results.valuesRedacted = redacted;
writeFileSync(join(root, `bench/results/${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(root, `bench/results/${name}.md`), `# SciFact retrieval quality (\`make eval${pii ? ' EVAL_PII_REDACTION=1' : ''}\`)\n\n${lines.join('\n')}\n`);
