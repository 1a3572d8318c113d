import { chunkDocument } from './dist/index.js';
import { syntheticDocument, renderDocument, subwordTokens, scaledWordTokens, createWriter } from '/tmp/bench/t/synthetic-document.js';
const counters = { subwordTokens, scaledWordTokens };
const policies = { default: [100, 256, 170], faq: [150, 300, 200], procedural: [400, 800, 500] };
const step = +(process.argv[2] ?? 1); const only = process.argv[3];
for (const [policy, [min, max, paras]] of Object.entries(policies).filter(([p]) => !only || only.split(",").includes(p))) for (const cname of (process.env.COUNTERS ?? "subwordTokens,scaledWordTokens").split(",")) for (const seed of (process.env.SEEDS ?? "1,2,3").split(",").map(Number)) {
  const countTokens = counters[cname];
  const blocks = syntheticDocument(seed, paras);
  const text0 = renderDocument(blocks);
  const before = chunkDocument({ text: text0, policy, countTokens });
  // min violations: chunk not last of its section
  let viol = 0;
  before.forEach((c, i) => { const next = before[i + 1]; if (c.tokenCount < min && next && !next.text.startsWith('## ')) viol++; if (c.tokenCount > max) viol += 1000; });
  const old = new Set(before.map((c) => c.text));
  const writer = createWriter(99);
  const paraIdx = blocks.flatMap((b, i) => (b.kind === 'paragraph' ? [i] : []));
  const lo = Math.floor(paraIdx.length * 0.1), hi = Math.ceil(paraIdx.length * 0.9);
  const hist = {}; let worst = 0;
  for (let k = lo; k < hi; k += step) {
    const idx = paraIdx[k]; const p = blocks[idx]; const s = [...p.sentences]; const mid = Math.floor(s.length / 2);
    const w = s[mid].split(' '); w[Math.min(2, w.length - 1)] = 'zebra';
    const variants = [{ kind: 'paragraph', sentences: s.map((x, i) => (i === mid ? w.join(' ') : x)) }, { kind: 'paragraph', sentences: [...s, writer.sentence()] }];
    if (s.length > 1) variants.push({ kind: 'paragraph', sentences: s.filter((_, i) => i !== mid) });
    for (const v of variants) {
      const after = chunkDocument({ text: renderDocument(blocks.map((b, i) => (i === idx ? v : b))), policy, countTokens });
      const changed = after.filter((c) => !old.has(c.text)).length;
      hist[changed] = (hist[changed] ?? 0) + 1; worst = Math.max(worst, changed);
    }
  }
  const sizes = before.map((c) => c.tokenCount);
  console.log(policy.padEnd(10), cname.padEnd(16), seed, 'chunks', before.length, 'worst', worst, JSON.stringify(hist), 'viol', viol, 'min', Math.min(...sizes), 'max', Math.max(...sizes), 'avg', Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length));
}
