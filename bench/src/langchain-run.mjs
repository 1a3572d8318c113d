// The LangChain.js side of the comparison, run as its own process (so its peak RSS is its own):
// the same local embedder wrapped as a LangChain `Embeddings`, RecursiveCharacterTextSplitter,
// `index()` with a PostgresRecordManager and a PGVectorStore (cleanup 'incremental', sourceIdKey
// 'source') in a throwaway database on the same Postgres server. Three steps: first ingest,
// unchanged re-ingest, 1% edit. Started by ingest-bench.mjs with the settings as JSON in argv[2];
// replies with one IPC message { ok, result | error }.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEmbedder } from '@ragmesh/embeddings';
import pg from 'pg';
import { editedDocuments, loadScifact } from './lib/corpus.mjs';
import { memoryOf, round } from './lib/procs.mjs';
import { benchDir } from './lib/settings.mjs';

const settings = JSON.parse(process.argv[2] ?? '{}');

function fail(error) {
  process.send?.({ ok: false, error: `${error?.stack ?? error}` });
  process.exitCode = 1;
}

/** Every LangChain module the benchmark needs; a failure here means "cannot be installed or loaded". */
async function loadLangchain() {
  const [{ Embeddings }, { index }, { Document }, { PGVectorStore }, { PostgresRecordManager }, { RecursiveCharacterTextSplitter }] = await Promise.all([
    import('@langchain/core/embeddings'),
    import('@langchain/core/indexing'),
    import('@langchain/core/documents'),
    import('@langchain/community/vectorstores/pgvector'),
    import('@langchain/community/indexes/postgres'),
    import('@langchain/textsplitters'),
  ]);
  const versions = {};
  for (const name of ['@langchain/core', '@langchain/community', '@langchain/textsplitters']) {
    try {
      versions[name] = JSON.parse(readFileSync(join(benchDir, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      versions[name] = 'unknown';
    }
  }
  return { Embeddings, index, Document, PGVectorStore, PostgresRecordManager, RecursiveCharacterTextSplitter, versions };
}

async function main() {
  const lc = await loadLangchain();
  const { docs } = await loadScifact(settings.scifactDir, settings.docs);
  const edited = editedDocuments(docs, settings.editDocs);

  const embedder = await createEmbedder({ provider: 'local', modelId: settings.model, modelsDir: settings.modelsDir, batchSize: settings.batchSize });
  const counter = { texts: 0, calls: 0 };

  /** Our local ONNX embedder behind LangChain's Embeddings interface. */
  class RagmeshLocalEmbeddings extends lc.Embeddings {
    constructor() {
      super({ maxConcurrency: 1 });
    }
    async embedDocuments(texts) {
      counter.calls += 1;
      counter.texts += texts.length;
      return (await embedder.embed(texts, 'document')).map((v) => Array.from(v));
    }
    async embedQuery(text) {
      counter.calls += 1;
      counter.texts += 1;
      return Array.from((await embedder.embed([text], 'query'))[0]);
    }
  }

  // A database of its own, on the same server, dropped at the end.
  const dbName = `langchain_bench_${randomUUID().slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: settings.superuserUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = new URL(settings.superuserUrl);
  dbUrl.pathname = `/${dbName}`;
  const connectionString = dbUrl.toString();
  const result = { database: dbName, versions: lc.versions, chunkSize: settings.lcChunkSize, chunkOverlap: settings.lcChunkOverlap, steps: {} };
  // Our own pools, so the benchmark (not LangChain) decides when connections close.
  const quiet = (pool) => pool.on('error', () => undefined);
  const storePool = quiet(new pg.Pool({ connectionString, max: 4 }));
  const recordPool = quiet(new pg.Pool({ connectionString, max: 2 }));
  let vectorStore = null;
  try {
    await storePool.query('CREATE EXTENSION IF NOT EXISTS vector');
    vectorStore = await lc.PGVectorStore.initialize(new RagmeshLocalEmbeddings(), {
      pool: storePool,
      tableName: 'langchain_bench_chunks',
      columns: { idColumnName: 'id', vectorColumnName: 'embedding', contentColumnName: 'text', metadataColumnName: 'metadata' },
      distanceStrategy: 'cosine',
      dimensions: embedder.model.dims,
    });
    // The mesh keeps an HNSW index per model on its chunks; give LangChain's table the same.
    await vectorStore.createHnswIndex({ dimensions: embedder.model.dims });
    const recordManager = new lc.PostgresRecordManager('ragmesh-bench', { pool: recordPool, tableName: 'langchain_bench_records' });
    await recordManager.createSchema();

    const splitter = new lc.RecursiveCharacterTextSplitter({ chunkSize: settings.lcChunkSize, chunkOverlap: settings.lcChunkOverlap });
    const toDocuments = (list) => list.map((d) => new lc.Document({ pageContent: d.title ? `${d.title}\n\n${d.text}` : d.text, metadata: { source: d.id, title: d.title } }));

    async function step(name, list) {
      const before = { ...counter };
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const chunks = await splitter.splitDocuments(toDocuments(list));
      const splitSeconds = (performance.now() - t0) / 1000;
      const stats = await lc.index({ docsSource: chunks, recordManager, vectorStore, options: { cleanup: 'incremental', sourceIdKey: 'source' } });
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      result.steps[name] = {
        documents: list.length, chunks: chunks.length, seconds: round(seconds, 3), splitSeconds: round(splitSeconds, 3),
        modelTexts: counter.texts - before.texts, modelCalls: counter.calls - before.calls, cpuSeconds: round((cpu.user + cpu.system) / 1e6), index: stats,
      };
      if (name === 'first') {
        // Tokens the model actually ran on (truncated at its limit), counted outside the timed region.
        result.steps.first.tokensEmbedded = chunks.reduce((n, c) => n + Math.min(embedder.countTokens(c.pageContent), embedder.model.maxTokens), 0);
      }
      console.log(`  langchain ${name}: ${list.length} docs, ${chunks.length} chunks, ${seconds.toFixed(1)} s, ${counter.texts - before.texts} texts embedded`, JSON.stringify(stats));
    }

    await step('first', docs);
    await step('unchanged', docs);
    await step('edit', edited);

    const rows = await storePool.query('SELECT count(*)::int AS n FROM langchain_bench_chunks');
    result.storeChunks = rows.rows[0].n;
  } finally {
    // PGVectorStore holds one client of its pool; end() releases it and ends the pool.
    await (vectorStore ? vectorStore.end() : storePool.end()).catch(() => undefined);
    await recordPool.end().catch(() => undefined);
    if (!settings.keepLangchainDb) {
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch((e) => console.error(`cannot drop ${dbName}: ${e.message}`));
      result.dropped = true;
    }
    await admin.end();
    await embedder.close();
  }
  const mem = memoryOf(process.pid);
  result.process = { pid: process.pid, vmHwmMiB: mem ? round(mem.hwmMiB) : null };
  process.send?.({ ok: true, result });
}

main().catch(fail);
