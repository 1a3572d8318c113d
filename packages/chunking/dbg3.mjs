import { syntheticDocument, renderDocument, subwordTokens, scaledWordTokens, createWriter } from '/tmp/bench/t/synthetic-document.js';
import { findAnchors, contentDefinedSplit } from './dist/content-defined-split.js';
import { markdownSections } from './dist/markdown-blocks.js';
import { sectionPieces } from './dist/text-pieces.js';
import { createOverlapFinder } from './dist/overlap.js';
import { tokenBudget } from './dist/token-budget.js';
import { policies } from './dist/policies.js';
import { chunkDocument } from './dist/index.js';
const [pol, cname, seedS, parasS, stepS] = process.argv.slice(2);
const countTokens = cname === 'scaled' ? scaledWordTokens : subwordTokens;
const blocks = syntheticDocument(+seedS, +parasS);
function sectionInfo(text, target) {
  const budget = tokenBudget({ policy: policies[pol], title: '', countTokens });
  const tokensOf = (r) => Math.max(0, countTokens(text.slice(r.start, r.end)) - budget.base);
  const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
  for (const bl of markdownSections(text)) {
    if (!(bl[0].start <= target && bl.at(-1).end >= target)) continue;
    const pieces = sectionPieces(text, bl, { tokensOf, pieceLimit: budget.pieceLimit, segmenter });
    const overlapAt = createOverlapFinder({ text, pieces, overlap: budget.overlap, tokensOf });
    const sums = [0]; for (const pc of pieces) sums.push(sums.at(-1) + pc.tokens);
    const content = (f, t) => sums[t] - sums[f];
    const split = { pieces, content, need: (a) => budget.min - budget.base - overlapAt(a).lower, min: budget.min, max: budget.max,
      lower: (f, t) => budget.base + overlapAt(f).lower + content(f, t), upper: (f, t) => budget.base + overlapAt(f).upper + content(f, t) + (t - f - 1) };
    const anchors = findAnchors(split, [0, pieces.length]);
    const spans = contentDefinedSplit(split, [0, pieces.length]);
    const editPiece = pieces.findIndex(pc => pc.end >= target);
    const r = (a) => `${a}@${sums[a]}${pieces[a-1].cutAfter === 2 ? 'P' : 's'}:${(pieces[a].lead / 2**32).toFixed(2)}`;
    console.log('  pieces', pieces.length, 'total', sums.at(-1), 'edit@', sums[editPiece], 'anchors', anchors.map(r).join(' '));
    console.log('  spans', spans.map(([f, t]) => `${sums[f]}-${sums[t]}`).join(' | '));
  }
}
const before = chunkDocument({ text: renderDocument(blocks), policy: pol, countTokens });
const old = new Set(before.map((c) => c.text));
const writer = createWriter(99);
const paraIdx = blocks.flatMap((b, i) => (b.kind === 'paragraph' ? [i] : []));
const lo = Math.floor(paraIdx.length * 0.1), hi = Math.ceil(paraIdx.length * 0.9);
for (let k = lo; k < hi; k += +stepS) {
  const idx = paraIdx[k]; const p = blocks[idx]; const s = [...p.sentences]; const mid = Math.floor(s.length / 2);
  const w = s[mid].split(' '); w[Math.min(2, w.length - 1)] = 'zebra';
  const variants = [['replace', { kind: 'paragraph', sentences: s.map((x, i) => (i === mid ? w.join(' ') : x)) }], ['append', { kind: 'paragraph', sentences: [...s, writer.sentence()] }]];
  if (s.length > 1) variants.push(['delete', { kind: 'paragraph', sentences: s.filter((_, i) => i !== mid) }]);
  for (const [name, v] of variants) {
    const nb = blocks.map((b, i) => (i === idx ? v : b));
    const after = chunkDocument({ text: renderDocument(nb), policy: pol, countTokens });
    const changed = after.filter((c) => !old.has(c.text)).length;
    if (changed >= 4) {
      console.log('=== edit', name, 'para', idx, 'sentences', s.length, 'mid', mid, 'changed', changed);
      const t0 = renderDocument(blocks); sectionInfo(t0, t0.indexOf(p.sentences[0]));
      const t1 = renderDocument(nb); sectionInfo(t1, t1.indexOf(v.sentences[0]));
    }
  }
}
