import { it } from 'vitest';
import { chunkDocument } from './chunk-document.js';
import { renderDocument, syntheticDocument, subwordTokens, createWriter, type DocumentBlock } from '../test/synthetic-document.js';

it('explore', () => {
  for (const policy of ['default', 'faq', 'procedural']) for (const counter of [subwordTokens]) for (const seed of [1, 2, 3]) {
  const paras = policy === 'default' ? 170 : policy === 'faq' ? 200 : 500;
  const blocks = syntheticDocument(seed, paras);
  const before = chunkDocument({ text: renderDocument(blocks), policy, countTokens: counter });
  const old = new Set(before.map((c) => c.text));
  const writer = createWriter(99);
  const paraIdx = blocks.flatMap((b, i) => (b.kind === 'paragraph' ? [i] : []));
  const lo = Math.floor(paraIdx.length * 0.1), hi = Math.ceil(paraIdx.length * 0.9);
  const hist: Record<number, number> = {};
  let worst = 0; let edits = 0;
  for (let k = lo; k < hi; k += 1) {
    const idx = paraIdx[k]!;
    const p = blocks[idx]!;
    const variants: DocumentBlock[] = [];
    const s = [...p.sentences];
    const mid = Math.floor(s.length / 2);
    const w = s[mid]!.split(' '); w[Math.min(2, w.length - 1)] = 'zebra'; 
    variants.push({ kind: 'paragraph', sentences: s.map((x, i) => (i === mid ? w.join(' ') : x)) });
    variants.push({ kind: 'paragraph', sentences: [...s, writer.sentence()] });
    if (s.length > 1) variants.push({ kind: 'paragraph', sentences: s.filter((_, i) => i !== mid) });
    for (const v of variants) {
      const nb = blocks.map((b, i) => (i === idx ? v : b));
      const after = chunkDocument({ text: renderDocument(nb), policy, countTokens: counter });
      const changed = after.filter((c) => !old.has(c.text)).length;
      hist[changed] = (hist[changed] ?? 0) + 1; worst = Math.max(worst, changed); edits++;
    }
  }
  const sizes = before.map(c => c.tokenCount);
  console.log(policy, seed, 'chunks', before.length, 'edits', edits, 'worst', worst, JSON.stringify(hist), 'min', Math.min(...sizes), 'max', Math.max(...sizes), 'avg', Math.round(sizes.reduce((a,b)=>a+b,0)/sizes.length));
  }
});
