// Every knob of the ingestion benchmark, read once from the environment.
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const repoRoot = resolve(benchDir, '..');

const int = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return value;
};
const flag = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  return !['0', 'false', 'no', 'off'].includes(raw.toLowerCase());
};

/** The benchmark's configuration; see bench/README.md for what each variable does. */
export function loadSettings() {
  const providers = (process.env.BENCH_PROVIDERS ?? 'hash,local').split(',').map((p) => p.trim()).filter(Boolean);
  for (const p of providers) if (!['hash', 'local'].includes(p)) throw new Error(`BENCH_PROVIDERS: unknown provider ${p} (hash, local)`);
  const docs = int('BENCH_DOCS', 0); // 0 = the whole corpus
  if (!['private', 'shared'].includes(process.env.BENCH_KAFKA ?? 'private')) throw new Error('BENCH_KAFKA must be private or shared');
  return {
    scifactDir: resolve(process.env.SCIFACT_DIR ?? join(repoRoot, '../shared/datasets/beir/scifact')),
    docs,
    /** Documents edited in the "1% edit" step; default 1% of the corpus, rounded up (52 of 5,183). */
    editDocs: int('BENCH_EDIT_DOCS', -1),
    providers,
    model: process.env.EMBEDDINGS_MODEL ?? 'all-MiniLM-L6-v2',
    modelsDir: process.env.EMBEDDINGS_MODELS_DIR || process.env.RAGMESH_MODELS_DIR || undefined,
    hashDims: int('EMBEDDINGS_DIMS', 384),
    /** Texts per model call, in the worker (EMBEDDINGS_BATCH_SIZE) and in the raw measurement. */
    batchSize: int('EMBEDDINGS_BATCH_SIZE', 32),
    /** Messages per chunk-embed slice (the worker's default is 128). */
    maxBatch: int('CHUNK_EMBED_MAX_BATCH', 128),
    raw: flag('BENCH_RAW', true),
    /** Also time the raw embedder on all texts sorted by length (one embed() call): the padding-free ceiling. */
    rawSorted: flag('BENCH_RAW_SORTED', false),
    /** Fraction of the texts timed again after the local mesh run (0 = off): brackets the mesh against load drift. */
    rawRecheck: Number(process.env.BENCH_RAW_RECHECK ?? '0.15'),
    langchain: flag('BENCH_LANGCHAIN', true),
    /** LangChain RecursiveCharacterTextSplitter size/overlap in characters: 800/80 gives about as many chunks as the mesh on SciFact (17.0k vs 16.4k). */
    lcChunkSize: int('BENCH_LC_CHUNK_SIZE', 800),
    lcChunkOverlap: int('BENCH_LC_CHUNK_OVERLAP', 80),
    /** Superuser URL for the LangChain side (creates and drops its own database). */
    superuserUrl: process.env.BENCH_SUPERUSER_DATABASE_URL ?? process.env.TEST_SUPERUSER_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ragmesh',
    keepLangchainDb: flag('BENCH_KEEP_LANGCHAIN_DB', false),
    /** `private`: a Kafka broker of the benchmark's own (bench/.state, port BENCH_KAFKA_PORT); `shared`: the stack's KAFKA_BROKERS. */
    kafka: process.env.BENCH_KAFKA ?? 'private',
    kafkaPort: int('BENCH_KAFKA_PORT', 19092),
    keepKafka: flag('BENCH_KEEP_KAFKA', false),
    resultsDir: resolve(process.env.BENCH_RESULTS_DIR ?? join(benchDir, 'results')),
    /** Give up when nothing moved for this long. */
    stallSeconds: int('BENCH_STALL_SECONDS', 180),
    logLevel: process.env.BENCH_SERVICE_LOG_LEVEL ?? 'warn',
  };
}

/** Host facts that bound the numbers: cores and load average. */
export function hostFacts() {
  const [l1, l5, l15] = loadavg();
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, loadavg: { l1, l5, l15 } };
}
