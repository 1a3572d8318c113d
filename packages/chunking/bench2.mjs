import { chunkDocument } from './dist/index.js';
import { syntheticDocument, renderDocument, subwordTokens, scaledWordTokens, createWriter } from '/tmp/bench/t/synthetic-document.js';
const policy = process.argv[2] ?? 'faq'; const seed = +(process.argv[3] ?? 3); const paras = +(process.argv[4] ?? 200); const subwordTokensX = process.argv[5] === 'scaled' ? scaledWordTokens : subwordTokens;
const blocks = syntheticDocument(seed, paras);
const text0 = renderDocument(blocks);
const before = chunkDocument({ text: text0, policy, countTokens: subwordTokensX });
const old = new Set(before.map((c) => c.text));
const writer = createWriter(99);
const paraIdx = blocks.flatMap((b, i) => (b.kind === 'paragraph' ? [i] : []));
const lo = Math.floor(paraIdx.length * 0.1), hi = Math.ceil(paraIdx.length * 0.9);
let shown = 0;
const hdr = (t) => t.slice(0, 30).replace(/\n/g, '⏎');
for (let k = lo; k < hi; k += 1) {
  const idx = paraIdx[k]; const p = blocks[idx]; const s = [...p.sentences]; const mid = Math.floor(s.length / 2);
  const w = s[mid].split(' '); w[Math.min(2, w.length - 1)] = 'zebra';
  const variants = [['replace', { kind: 'paragraph', sentences: s.map((x, i) => (i === mid ? w.join(' ') : x)) }], ['append', { kind: 'paragraph', sentences: [...s, writer.sentence()] }]];
  if (s.length > 1) variants.push(['delete', { kind: 'paragraph', sentences: s.filter((_, i) => i !== mid) }]);
  for (const [name, v] of variants) {
    const nb = blocks.map((b, i) => (i === idx ? v : b));
    const after = chunkDocument({ text: renderDocument(nb), policy, countTokens: subwordTokensX });
    const nw = new Set(after.map((c) => c.text));
    const changed = after.filter((c) => !old.has(c.text));
    if (changed.length >= 4 && shown++ < 3) {
      console.log('=== edit', name, 'para', idx, 'sentences', s.length);
      const firstOld = before.findIndex(c => !nw.has(c.text)); const lastOld = before.findLastIndex(c => !nw.has(c.text));
      for (let i = Math.max(0, firstOld - 1); i <= Math.min(before.length - 1, lastOld + 1); i++) console.log(' old', i, before[i].tokenCount, nw.has(before[i].text) ? 'same' : 'GONE', hdr(before[i].text), '...', before[i].text.slice(-25));
      const f = after.findIndex(c => !old.has(c.text)); const l = after.findLastIndex(c => !old.has(c.text));
      for (let i = Math.max(0, f - 1); i <= Math.min(after.length - 1, l + 1); i++) console.log(' new', i, after[i].tokenCount, old.has(after[i].text) ? 'same' : 'NEW', hdr(after[i].text), '...', after[i].text.slice(-25));
    }
  }
}
