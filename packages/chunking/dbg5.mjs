import { syntheticDocument, renderDocument, subwordTokens } from '/tmp/bench/t/synthetic-document.js';
import { markdownSections } from './dist/markdown-blocks.js';
import { sectionPieces } from './dist/text-pieces.js';
import { createOverlapFinder } from './dist/overlap.js';
const text = renderDocument(syntheticDocument(2, 200));
const target = text.indexOf('Porsaeth pormi tenporka');
const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
const tokensOf = (r) => subwordTokens(text.slice(r.start, r.end));
for (const bl of markdownSections(text)) {
  if (!(bl[0].start <= target && bl.at(-1).end >= target)) continue;
  const pieces = sectionPieces(text, bl, { tokensOf, pieceLimit: 118, segmenter });
  const at = pieces.findIndex(p => p.start === target);
  const ov = createOverlapFinder({ text, pieces, overlap: 30, tokensOf })(at);
  console.log(at, ov, pieces[at-1], JSON.stringify(text.slice(pieces[at-1].start, pieces[at-1].end)));
}
import { findAnchors, contentDefinedSplit, chooseCut } from './dist/content-defined-split.js';
for (const bl of markdownSections(text)) {
  if (!(bl[0].start <= target && bl.at(-1).end >= target)) continue;
  const pieces = sectionPieces(text, bl, { tokensOf, pieceLimit: 118, segmenter });
  const overlapAt = createOverlapFinder({ text, pieces, overlap: 30, tokensOf });
  const sums = [0]; for (const pc of pieces) sums.push(sums.at(-1) + pc.tokens);
  const content = (f, t) => sums[t] - sums[f];
  const split = { pieces, content, need: (a) => 150 - overlapAt(a).lower, min: 150, max: 300,
    lower: (f, t) => overlapAt(f).lower + content(f, t), upper: (f, t) => overlapAt(f).upper + content(f, t) + (t - f - 1) };
  const anchors = findAnchors(split, [0, pieces.length]);
  console.log('anchors', anchors, 'n', pieces.length);
  for (const [f, t] of contentDefinedSplit(split, [0, pieces.length])) console.log(f, t, 'lower', split.lower(f, t), 'upper', split.upper(f, t), 'content', content(f, t), 'need', split.need(f));
  const gap = [0, anchors[0]];
  console.log('gap', gap, split.upper(...gap));
}
