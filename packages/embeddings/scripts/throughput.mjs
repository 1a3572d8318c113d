// Raw throughput of a local ONNX embedder on SciFact-like abstracts (~200 WordPiece tokens each).
// Usage: pnpm -s build && node packages/embeddings/scripts/throughput.mjs [modelId] [texts] [batchSize] [threads]
// Models come from deploy/local/models.sh (RAGMESH_MODELS_DIR or ~/.cache/ragmesh/models).
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { createEmbedder } from '../dist/index.js';

const [modelId = 'all-MiniLM-L6-v2', count = '256', batch = '32', threads] = process.argv.slice(2);

// Deterministic stand-in for SciFact corpus abstracts: biomedical vocabulary, numbers, citations.
const words = (
  'the of and in to a with was were that for patients cells expression study protein levels ' +
  'increased decreased associated risk treatment cancer mice gene response effect significantly ' +
  'compared clinical analysis receptor activity tumor induced disease mutations signaling pathway ' +
  'inflammatory cohort randomized trial mortality incidence mechanism regulation binding kinase ' +
  'mitochondrial transcription infection immune antibody vaccine dose plasma insulin obesity ' +
  'cardiovascular neuronal apoptosis proliferation differentiation stem metabolic genome variant'
).split(' ');
let seed = 42;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const pick = () => words[Math.floor(random() * words.length)];
function passage() {
  const sentences = [];
  for (let s = 0; s < 6; s++) {
    const n = 16 + Math.floor(random() * 8);
    const body = Array.from({ length: n }, pick).join(' ');
    sentences.push(`${body[0].toUpperCase()}${body.slice(1)} (p < 0.0${1 + Math.floor(random() * 5)}, n = ${100 + Math.floor(random() * 900)}).`);
  }
  return sentences.join(' ');
}
const texts = Array.from({ length: Number(count) }, passage);

const embedder = await createEmbedder({
  provider: 'local',
  modelId,
  batchSize: Number(batch),
  ...(threads ? { threads: Number(threads) } : {}),
  modelsDir: process.env.RAGMESH_MODELS_DIR ?? process.env.EMBEDDINGS_MODELS_DIR,
});
const tokens = texts.map((t) => embedder.countTokens(t));
const meanTokens = tokens.reduce((a, b) => a + b, 0) / tokens.length;
const truncated = tokens.filter((t) => t > embedder.model.maxTokens).length;

await embedder.embed(texts.slice(0, Number(batch)), 'document'); // warm-up
const started = performance.now();
await embedder.embed(texts, 'document');
const seconds = (performance.now() - started) / 1000;
await embedder.close();

console.log(
  `${modelId} (${embedder.model.version}, load ${os.loadavg()[0].toFixed(1)}): ${texts.length} texts, mean ${meanTokens.toFixed(0)} tokens ` +
    `(${truncated} over ${embedder.model.maxTokens}), batch ${batch}: ${(texts.length / seconds).toFixed(1)} texts/s, ` +
    `${((texts.length * meanTokens) / seconds).toFixed(0)} tokens/s, ${seconds.toFixed(2)} s`,
);
