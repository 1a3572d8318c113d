// Targets, the console summary and the files under bench/results/.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { round } from './procs.mjs';

const fmt = (x, digits = 1) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : Number(x).toFixed(digits));
const ratio = (a, b) => (a && b ? round(a / b, 2) : null);

/** The comparison rows: step | mesh s | langchain s | speedup | mesh model texts | langchain model texts. */
export function comparisonRows(results) {
  const local = results.providers.local;
  const lc = local?.langchain;
  if (!local?.mesh || !lc?.steps) return [];
  const names = { first: 'first ingest', unchanged: 're-ingest unchanged', edit: `1% edit (${results.corpus.editedDocuments} docs)` };
  return ['first', 'unchanged', 'edit'].map((step) => {
    const m = local.mesh.steps[step];
    const l = lc.steps[step];
    return { step, name: names[step], meshSeconds: m?.seconds, langchainSeconds: l?.seconds, speedup: ratio(l?.seconds, m?.seconds), meshModelTexts: m?.modelTexts, langchainModelTexts: l?.modelTexts };
  });
}

/** Each target with the measured value and whether it was met (null: not measured in this run). */
export function targetsFor(results) {
  const local = results.providers.local;
  const rows = Object.fromEntries(comparisonRows(results).map((r) => [r.step, r]));
  const t = [];
  t.push({ id: 'mesh-vs-raw', target: 'local mesh chunks/s >= 0.9 x raw embedder chunks/s', value: local?.meshToRaw ?? null, met: local?.meshToRaw == null ? null : local.meshToRaw >= 0.9 });
  t.push({ id: 'first-ingest', target: 'first ingest >= 2x faster than LangChain', value: rows.first?.speedup ?? null, met: rows.first?.speedup == null ? null : rows.first.speedup >= 2 });
  t.push({ id: 'unchanged', target: 'unchanged re-ingest >= 20x faster than LangChain', value: rows.unchanged?.speedup ?? null, met: rows.unchanged?.speedup == null ? null : rows.unchanged.speedup >= 20 });
  const e = rows.edit;
  t.push({
    id: 'edit-model-calls', target: 'fewer texts embedded than LangChain on the 1% edit',
    value: e ? `${e.meshModelTexts} vs ${e.langchainModelTexts}` : null, met: e?.meshModelTexts == null || e?.langchainModelTexts == null ? null : e.meshModelTexts < e.langchainModelTexts,
  });
  return t;
}

const verdict = (met) => (met === null ? 'NOT MEASURED' : met ? 'MET' : 'NOT MET');

export function printTargets(results) {
  const rows = comparisonRows(results);
  if (rows.length > 0) {
    console.log('\nstep                       | mesh s  | langchain s | speedup | mesh model texts | langchain model texts');
    for (const r of rows) {
      console.log(`${r.name.padEnd(27)}| ${fmt(r.meshSeconds, 2).padStart(7)} | ${fmt(r.langchainSeconds, 2).padStart(11)} | ${fmt(r.speedup, 2).padStart(7)} | ${String(r.meshModelTexts).padStart(16)} | ${String(r.langchainModelTexts).padStart(21)}`);
    }
  }
  console.log('\ntargets:');
  for (const t of results.targets) console.log(`  ${verdict(t.met).padEnd(12)} ${t.target}: ${t.value ?? 'n/a'}`);
}

function otherCpuNote(step) {
  if (!step?.host) return null;
  const ours = Object.values(step.host.processes ?? {}).reduce((n, p) => n + (p.cpuSeconds ?? 0), 0);
  return { machineCpuSeconds: step.host.machineCpuSeconds, trackedCpuSeconds: round(ours), untrackedCpuSeconds: round(step.host.machineCpuSeconds - ours) };
}

/** Markdown summary of a run. */
export function markdown(results) {
  results.targets ??= targetsFor(results);
  const lines = [];
  const h = results.host;
  lines.push(`# Ingestion benchmark — BEIR SciFact`, '');
  lines.push(`Run \`${results.runId}\` at ${results.startedAt} (commit ${results.git.commit ?? '?'}${results.git.dirty ? ', dirty tree' : ''}), command \`${results.command}\`.`);
  lines.push(`${results.corpus.documents} documents${results.corpus.full ? ' (the whole corpus)' : ' (a prefix of the corpus)'}; ${h.cpus} × ${h.cpuModel}, Node ${h.node}; load average at start ${fmt(h.loadavg.l1, 2)} / ${fmt(h.loadavg.l5, 2)} / ${fmt(h.loadavg.l15, 2)}, at end ${fmt(h.loadavgAtEnd?.l1, 2)} / ${fmt(h.loadavgAtEnd?.l5, 2)} / ${fmt(h.loadavgAtEnd?.l15, 2)}.`, '');
  lines.push('## Mesh end to end vs the raw embedder', '');
  if (results.kafka?.mode === 'private') lines.push(`Kafka: a broker of the benchmark's own (${results.kafka.brokers.join(',')}, state in bench/.state), so nobody else's events reach the benchmark's workers and nobody else's workers see the benchmark's events. Registry, Postgres and Redis are the shared local stack.`, '');
  lines.push('From the first publish to documents.ingest until every document is indexed in Postgres (chunk-embed + indexer from `dist/`, fresh tenant and consumer groups, embedding cache of the model flushed first). Raw: the same embedder in-process on the exact chunk texts the worker embeds, in the worker\'s call shape (one call per slice of 128 documents, run 32 texts at a time by length), no Kafka/DB; for local it is timed before the mesh on all texts and after it on an even sample, and the mesh is compared with the mean (the host\'s load drifts).', '');
  lines.push('| provider | docs | chunks | mesh s | docs/s | chunks/s | raw chunks/s | mesh/raw | CPU-s/chunk raw · chunk-embed · +indexer+kafka | chunking in-process s | load avg (1 min) raw · mesh |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|');
  for (const [provider, p] of Object.entries(results.providers)) {
    const f = p.mesh?.steps?.first;
    if (!f) continue;
    const c = p.cpuPerChunk;
    const cpu = c ? `${fmt(c.raw, 4)} · ${fmt(c.chunkEmbed, 4)} · ${fmt(c.chunkEmbedIndexerKafka, 4)}` : 'n/a';
    const rawLoad = p.raw?.host?.loadavg1;
    const rawCell = p.rawAfter ? `${fmt(p.rawReferenceChunksPerSecond)} (before ${fmt(p.raw.chunksPerSecond)}, after ${fmt(p.rawAfter.chunksPerSecond)})` : fmt(p.raw?.chunksPerSecond);
    lines.push(`| ${provider} (${p.model.id}) | ${f.documents} | ${f.chunks} | ${fmt(f.seconds, 1)} | ${fmt(f.documentsPerSecond)} | ${fmt(f.chunksPerSecond)} | ${rawCell} | ${fmt(p.meshToRaw, 2)} | ${cpu} | ${fmt(p.chunking?.seconds)} | ${rawLoad ? `${fmt(rawLoad.min, 1)}–${fmt(rawLoad.max, 1)}` : 'n/a'} · ${fmt(f.host.loadavg1.min, 1)}–${fmt(f.host.loadavg1.max, 1)} |`);
  }
  const kafkaNote = results.kafka?.mode === 'private' ? 'Kafka is the benchmark\'s own broker, started for this run' : 'Kafka is the shared stack broker, peak since its start';
  lines.push('', `Peak RSS (MiB; VmHWM read before stopping the services; ${kafkaNote}; Apicurio peak since its start):`, '');
  lines.push('| provider | chunk-embed | indexer | kafka | apicurio | bench process |');
  lines.push('|---|---:|---:|---:|---:|---:|');
  for (const [provider, p] of Object.entries(results.providers)) {
    const pr = p.mesh?.processes;
    if (!pr) continue;
    lines.push(`| ${provider} | ${fmt(pr['chunk-embed']?.vmHwmMiB, 0)} | ${fmt(pr.indexer?.vmHwmMiB, 0)} | ${fmt(pr.kafka?.vmHwmMiB, 0)} | ${fmt(pr.apicurio?.vmHwmMiB, 0)} | ${fmt(pr.bench?.vmHwmMiB, 0)} |`);
  }
  const rows = comparisonRows(results);
  const lc = results.providers.local?.langchain;
  if (rows.length > 0) {
    lines.push('', '## Mesh vs LangChain.js (same local embedder, same Postgres server)', '');
    lines.push(`LangChain: \`index()\` (@langchain/core ${lc.versions?.['@langchain/core']}) with PostgresRecordManager + PGVectorStore (@langchain/community ${lc.versions?.['@langchain/community']}, HNSW index like the mesh), cleanup 'incremental', sourceIdKey 'source'; RecursiveCharacterTextSplitter (@langchain/textsplitters ${lc.versions?.['@langchain/textsplitters']}) ${lc.chunkSize}/${lc.chunkOverlap} characters, title + text as page content. Times include splitting. The edit step gives each system only the ${results.corpus.editedDocuments} edited documents (${results.corpus.edit}).`, '');
    lines.push('| step | mesh s | langchain s | speedup | mesh model texts | langchain model texts |');
    lines.push('|---|---:|---:|---:|---:|---:|');
    for (const r of rows) lines.push(`| ${r.name} | ${fmt(r.meshSeconds, 2)} | ${fmt(r.langchainSeconds, 2)} | ${fmt(r.speedup, 2)} | ${r.meshModelTexts} | ${r.langchainModelTexts} |`);
    const meshTokens = results.providers.local.chunking?.tokens;
    const lcTokens = lc.steps.first.tokensEmbedded;
    if (meshTokens && lcTokens) {
      lines.push('', `Work for the model on the first ingest: mesh ${results.providers.local.chunking.distinctTexts} texts / ${meshTokens} tokens (the title is prepended to every chunk), LangChain ${lc.steps.first.chunks} texts / ${lcTokens} tokens (truncated at the model's ${results.providers.local.model.maxTokens}).`);
    }
    lines.push('', `Chunks: mesh ${results.providers.local.mesh.steps.first.chunks}, LangChain ${lc.steps.first.chunks}. LangChain index() stats: ${['first', 'unchanged', 'edit'].map((s) => `${s} ${JSON.stringify(lc.steps[s].index)}`).join('; ')}. LangChain process peak RSS ${fmt(lc.process?.vmHwmMiB, 0)} MiB.`);
  } else if (lc?.error) {
    lines.push('', '## Mesh vs LangChain.js', '', 'LangChain could not run:', '', '```', String(lc.error).slice(0, 2000), '```');
  }
  lines.push('', '## Targets', '');
  lines.push('| target | value | |');
  lines.push('|---|---|---|');
  for (const t of results.targets) lines.push(`| ${t.target} | ${t.value ?? 'n/a'} | ${verdict(t.met)} |`);
  const local = results.providers.local?.mesh?.steps;
  const note = otherCpuNote(local?.first);
  lines.push('', '## What limits these numbers', '');
  if (note) {
    lines.push(`- During the local first ingest the machine's CPUs were ${fmt(local.first.host.machineCpuUtilization * 100, 0)}% busy (${note.machineCpuSeconds} CPU-s); chunk-embed, indexer, Kafka, Apicurio and this process used ${note.trackedCpuSeconds} CPU-s, the rest (${note.untrackedCpuSeconds} CPU-s) went to Postgres, Redis and any other process on the host. Load average (1 min) ranged ${fmt(local.first.host.loadavg1.min, 2)}–${fmt(local.first.host.loadavg1.max, 2)} on ${h.cpus} CPUs.`);
    const ce = local.first.host.processes['chunk-embed'];
    if (ce) lines.push(`- chunk-embed used ${ce.cpuSeconds} CPU-s in that step; in-process, chunking the corpus alone took ${fmt(results.providers.local.chunking.seconds)} s and the raw embedder ${fmt(results.providers.local.raw?.seconds)} s.`);
  }
  if (results.codeFingerprint && results.codeFingerprint.start !== results.codeFingerprint.end) {
    lines.push(`- The built code (chunking, embeddings, chunk-embed, indexer, store dist/) changed during the run (${results.codeFingerprint.start} → ${results.codeFingerprint.end}): someone rebuilt while it ran, so in-process and in-mesh chunk counts may differ.`);
  }
  lines.push('- Every figure is one run on a shared machine; with 2 cores, anything else running (builds, tests, other benchmarks) takes CPU from the ONNX runs and shows up as a lower throughput. Compare runs only at similar load.');
  lines.push('', `Raw data: ${Object.keys(results.providers).map((p) => `\`${fileBase(results)}-${p}.json\``).join(', ')}.`, '');
  return lines.join('\n');
}

function fileBase(results) {
  return results.corpus.full ? 'ingest' : `ingest.docs${results.corpus.documents}`;
}

async function writeAtomic(path, text) {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

/** bench/results/ingest-<provider>.json + ingest.md (a partial corpus gets `ingest.docs<N>` names so full-run files stay). */
export async function writeResults(dir, results) {
  await mkdir(dir, { recursive: true });
  const base = fileBase(results);
  const files = [];
  for (const [provider, entry] of Object.entries(results.providers)) {
    const common = { ...results };
    delete common.providers;
    const path = join(dir, `${base}-${provider}.json`);
    const payload = { ...common, provider, ...entry, ...(provider === 'local' ? { comparison: comparisonRows(results) } : {}) };
    await writeAtomic(path, `${JSON.stringify(payload, null, 2)}\n`);
    files.push(path);
  }
  const md = join(dir, `${base}.md`);
  await writeAtomic(md, markdown(results));
  files.push(md);
  return files;
}
