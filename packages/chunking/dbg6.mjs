import { syntheticDocument, renderDocument, subwordTokens, scaledWordTokens, createWriter } from '/tmp/bench/t/synthetic-document.js';
import { findAnchors, contentDefinedSplit } from './dist/content-defined-split.js';
import { markdownSections } from './dist/markdown-blocks.js';
import { sectionPieces, cutScore } from './dist/text-pieces.js';
import { createOverlapFinder } from './dist/overlap.js';
import { tokenBudget } from './dist/token-budget.js';
import { policies } from './dist/policies.js';
const [pol, cname, seedS, parasS, idxS, kind] = process.argv.slice(2);
const countTokens = cname === 'scaled' ? scaledWordTokens : subwordTokens;
const blocks = syntheticDocument(+seedS, +parasS);
const writer = createWriter(99);
function info(text, target) {
  const budget = tokenBudget({ policy: policies[pol], title: '', countTokens });
  const tokensOf = (r) => Math.max(0, countTokens(text.slice(r.start, r.end)) - budget.base);
  const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
  for (const bl of markdownSections(text)) {
    if (!(bl[0].start <= target && bl.at(-1).end >= target)) continue;
    const pieces = sectionPieces(text, bl, { tokensOf, pieceLimit: budget.pieceLimit, joins: budget.joins, segmenter });
    const overlapAt = createOverlapFinder({ text, pieces, overlap: budget.overlap, tokensOf });
    const ts = [0], js = [0]; for (const p of pieces) { ts.push(ts.at(-1) + p.tokens); js.push(js.at(-1) + p.joinAfter); }
    const content = (f, t) => ts[t] - ts[f]; const joins = (f, t) => js[t - 1] - js[f];
    const split = { pieces, content, spacing: budget.min - budget.base - budget.titleLower - budget.overlap, need: (a) => budget.min - budget.base - budget.titleLower - overlapAt(a).lower, min: budget.min, max: budget.max,
      lower: (f, t) => budget.base + budget.titleLower + overlapAt(f).lower + content(f, t), upper: (f, t) => budget.base + budget.titleUpper + overlapAt(f).upper + content(f, t) + joins(f, t) };
    const anchors = findAnchors(split);
    const spans = contentDefinedSplit(split);
    const r = (a) => { const s = cutScore(pieces, a); return `${a}@${ts[a]}${'wsP'[Math.floor(s / 2**32)]}:${((s % 2**32) / 2**32).toFixed(2)}`; };
    console.log('  target@', ts[pieces.findIndex(p => p.end >= target)], 'need', split.need(0));
    console.log('  bounds', pieces.map((_, i) => i).filter(i => i > 0).map(r).join(' '));
    console.log('  anchors', anchors.map(r).join(' '));
    console.log('  spans', spans.map(([f, t]) => `${ts[f]}-${ts[t]}`).join(' | '));
  }
}
const idx = +idxS; const p = blocks[idx]; const s = [...p.sentences]; const mid = Math.floor(s.length / 2);
let v;
// consume writer sentences as bench2 does up to this paragraph
const paraIdx = blocks.flatMap((b, i) => (b.kind === 'paragraph' ? [i] : []));
const lo = Math.floor(paraIdx.length * 0.1);
for (let k = lo; paraIdx[k] < idx; k++) writer.sentence();
if (kind === 'append') v = { kind: 'paragraph', sentences: [...s, writer.sentence()] };
else if (kind === 'delete') v = { kind: 'paragraph', sentences: s.filter((_, i) => i !== mid) };
else { const w = s[mid].split(' '); w[Math.min(2, w.length - 1)] = 'zebra'; v = { kind: 'paragraph', sentences: s.map((x, i) => (i === mid ? w.join(' ') : x)) }; }
const t0 = renderDocument(blocks); info(t0, t0.indexOf(p.sentences[0]));
const nb = blocks.map((b, i) => (i === idx ? v : b)); const t1 = renderDocument(nb); info(t1, t1.indexOf(v.sentences[0]));
