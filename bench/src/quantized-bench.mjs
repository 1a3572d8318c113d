// Quantized local models: the int8 `-q` export of a model against its fp32 original, in one run.
// Both embed the same SciFact chunk texts (the worker's chunker and call shape: slices of 128
// texts) in alternating passes, fp32, int8, fp32, int8, so load drift on this VM hits both alike;
// chunks/s and CPU-s per chunk are the means of each model's passes. The retrieval-quality delta
// (SciFact hybrid nDCG@10) comes from bench/results/eval-scifact.json, which `make eval` writes
// for both ids. Writes bench/results/quantized.{json,md}.
//   BENCH_QUANTIZED_MODEL (all-MiniLM-L6-v2), BENCH_QUANTIZED_CHUNKS (800 texts per pass)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEmbedder } from '@ragmesh/embeddings';
import { loadScifact, meshChunks } from './lib/corpus.mjs';
import { round } from './lib/procs.mjs';
import { hostFacts, loadSettings, repoRoot } from './lib/settings.mjs';

const settings = loadSettings();
const fp32 = process.env.BENCH_QUANTIZED_MODEL ?? 'all-MiniLM-L6-v2';
const int8 = `${fp32}-q`;
const want = Number(process.env.BENCH_QUANTIZED_CHUNKS ?? 800);
const SLICE = 128;

const load = (modelId) => createEmbedder({ provider: 'local', modelId, modelsDir: settings.modelsDir, batchSize: settings.batchSize });
const embedders = { [fp32]: await load(fp32), [int8]: await load(int8) };
const { docs } = await loadScifact(settings.scifactDir);
// Texts as chunk-embed would cut them for the fp32 model (both share one tokenizer).
let texts = [];
for (let at = 0; texts.length < want && at < docs.length; at += 200) texts.push(...meshChunks(docs.slice(at, at + 200), embedders[fp32]).uniqueTexts);
texts = texts.slice(0, want);

async function pass(modelId) {
  const embedder = embedders[modelId];
  const cpu = process.cpuUsage();
  const started = performance.now();
  const vectors = [];
  for (let i = 0; i < texts.length; i += SLICE) vectors.push(...(await embedder.embed(texts.slice(i, i + SLICE), 'document')));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6, vectors };
}

console.log(`quantized: ${fp32} vs ${int8}, ${texts.length} chunk texts per pass, passes fp32/int8/fp32/int8`);
for (const id of [fp32, int8]) await embedders[id].embed(texts.slice(0, 32), 'document'); // warm both sessions
const loadStart = hostFacts().loadavg;
const passes = { [fp32]: [], [int8]: [] };
let last = {};
for (const id of [fp32, int8, fp32, int8]) {
  const p = await pass(id);
  passes[id].push({ seconds: round(p.seconds, 3), cpuSeconds: round(p.cpuSeconds, 3), chunksPerSecond: round(texts.length / p.seconds, 2) });
  last[id] = p.vectors;
  console.log(`  ${id}: ${(texts.length / p.seconds).toFixed(1)} chunks/s (${p.seconds.toFixed(1)} s, ${p.cpuSeconds.toFixed(1)} CPU-s)`);
}
for (const e of Object.values(embedders)) await e.close();

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rate = (id) => mean(passes[id].map((p) => p.chunksPerSecond));
const cpuPerChunk = (id) => mean(passes[id].map((p) => p.cpuSeconds)) / texts.length;
const cosine = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0) / Math.sqrt(a.reduce((s, x) => s + x * x, 0) * b.reduce((s, x) => s + x * x, 0));
const agreement = mean(last[fp32].map((v, i) => cosine(v, last[int8][i])));

// nDCG from the eval's results, when it has both ids.
const evalPath = join(repoRoot, 'bench/results/eval-scifact.json');
const evaluated = existsSync(evalPath) ? JSON.parse(readFileSync(evalPath, 'utf8')).models ?? {} : {};
const hybrid = (id) => evaluated[id]?.modes?.hybrid?.ndcg10;
const ndcgDelta = hybrid(fp32) !== undefined && hybrid(int8) !== undefined ? round(hybrid(int8) - hybrid(fp32), 4) : null;

const speedup = round(rate(int8) / rate(fp32), 3);
const result = {
  benchmark: 'quantized',
  commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim(),
  host: { ...hostFacts(), loadavgAtStart: loadStart },
  models: { fp32, int8 },
  texts: texts.length,
  passes,
  chunksPerSecond: { fp32: round(rate(fp32), 2), int8: round(rate(int8), 2) },
  cpuSecondsPerChunk: { fp32: round(cpuPerChunk(fp32), 4), int8: round(cpuPerChunk(int8), 4) },
  speedup,
  meanCosineFp32VsInt8: round(agreement, 4),
  ndcg10Hybrid: { fp32: hybrid(fp32) ?? null, int8: hybrid(int8) ?? null },
  ndcgDelta,
  targets: { speedupGe: 1.8, absNdcgDeltaLe: 0.01 },
  met: { speedup: speedup >= 1.8, ndcg: ndcgDelta === null ? null : Math.abs(ndcgDelta) <= 0.01 },
};
const f = (x, d = 2) => (x === null || x === undefined ? 'n/a' : x.toFixed(d));
const md = [
  `# Quantized local models (\`make bench\`)`,
  '',
  `${fp32} (fp32) against ${int8} (int8, langchain4j's quantized export), ${texts.length} SciFact chunk texts per pass, slices of ${SLICE} as chunk/embed sends them, passes alternated fp32/int8/fp32/int8 in one process. Commit ${result.commit}; load average at start ${loadStart.l1.toFixed(2)}, at end ${hostFacts().loadavg.l1.toFixed(2)} on ${result.host.cpus} CPUs.`,
  '',
  '| model | chunks/s per pass | mean chunks/s | CPU-s per chunk | SciFact hybrid nDCG@10 |',
  '|---|---|---:|---:|---:|',
  `| ${fp32} | ${passes[fp32].map((p) => f(p.chunksPerSecond, 1)).join(', ')} | ${f(rate(fp32), 1)} | ${f(cpuPerChunk(fp32), 4)} | ${f(hybrid(fp32), 4)} |`,
  `| ${int8} | ${passes[int8].map((p) => f(p.chunksPerSecond, 1)).join(', ')} | ${f(rate(int8), 1)} | ${f(cpuPerChunk(int8), 4)} | ${f(hybrid(int8), 4)} |`,
  '',
  `Speed-up ${f(speedup)}x (target >= 1.8: ${result.met.speedup ? 'MET' : 'NOT MET'}); nDCG@10 delta ${ndcgDelta === null ? `n/a (run \`EVAL_MODELS=${fp32},${int8} make eval\`)` : f(ndcgDelta, 4)} (target within 0.01: ${result.met.ndcg === null ? 'not measured' : result.met.ndcg ? 'MET' : 'NOT MET'}); mean cosine between the two models' vectors of a text ${f(agreement, 4)}.`,
  `The nDCG figures are \`make eval\`'s (bench/results/eval-scifact.json), not this run's.`,
];
console.log(md.slice(4).join('\n'));
mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
writeFileSync(join(repoRoot, 'bench/results/quantized.json'), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(repoRoot, 'bench/results/quantized.md'), `${md.join('\n')}\n`);
