import { chunkDocument } from './dist/index.js';
import { syntheticDocument, renderDocument, subwordTokens } from '/tmp/bench/t/synthetic-document.js';
import * as cds from './dist/content-defined-split.js';
const orig = cds.findAnchors;
const blocks = syntheticDocument(3, 200);
const idx = 166; const p = blocks[idx]; const s = [...p.sentences]; const mid = Math.floor(s.length / 2);
const w = s[mid].split(' '); w[Math.min(2, w.length - 1)] = 'zebra';
const v = { kind: 'paragraph', sentences: s.map((x, i) => (i === mid ? w.join(' ') : x)) };
for (const b of [blocks, blocks.map((b, i) => (i === idx ? v : b))]) {
  const text = renderDocument(b);
  const chunks = chunkDocument({ text, policy: 'faq', countTokens: subwordTokens });
  const i0 = chunks.findIndex(c => c.text.startsWith('## Ethpor raporsa'));
  for (let i = i0; i < i0 + 7; i++) console.log(i, chunks[i].tokenCount, JSON.stringify(chunks[i].text.slice(0, 40)), '...', JSON.stringify(chunks[i].text.slice(-40)));
  console.log('---');
}
