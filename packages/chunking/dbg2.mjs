import { syntheticDocument, renderDocument, subwordTokens } from '/tmp/bench/t/synthetic-document.js';
import { findAnchors, contentDefinedSplit } from './dist/content-defined-split.js';
import { markdownSections } from './dist/markdown-blocks.js';
import { sectionPieces } from './dist/text-pieces.js';
import { createOverlapFinder } from './dist/overlap.js';
import { tokenBudget } from './dist/token-budget.js';
import { policies } from './dist/policies.js';
const pol = process.argv[2] ?? 'faq';
const blocks = syntheticDocument(3, 200);
const idx = +(process.argv[3] ?? 166); const p = blocks[idx]; const s = [...p.sentences]; const mid = Math.floor(s.length / 2);
const w = s[mid].split(' '); w[Math.min(2, w.length - 1)] = 'zebra';
const v = { kind: 'paragraph', sentences: s.map((x, i) => (i === mid ? w.join(' ') : x)) };
for (const b of [blocks, blocks.map((b, i) => (i === idx ? v : b))]) {
  const text = renderDocument(b);
  const budget = tokenBudget({ policy: policies[pol], title: '', countTokens: subwordTokens });
  const tokensOf = (r) => subwordTokens(text.slice(r.start, r.end));
  const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
  const target = text.indexOf(b[idx].sentences[0]);
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
    console.log('pieces', pieces.length, 'total', sums.at(-1), 'edit@piece', editPiece, 'pos', sums[editPiece]);
    console.log('anchors', anchors.map(a => `${a}@${sums[a]}${pieces[a-1].cutScore >= 2**33 ? 'P' : 's'}:${(pieces[a-1].cutScore % 2**32 / 2**32).toFixed(2)}`).join(' '));
    console.log('spans', spans.map(([f, t]) => `[${f},${t}) ${sums[f]}-${sums[t]} up=${split.upper(f,t)}`).join(' | '));
  }
}
