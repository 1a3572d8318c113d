import { syntheticDocument, renderDocument, subwordTokens, scaledWordTokens } from '/tmp/bench/t/synthetic-document.js';
import { chunkDocument } from './dist/index.js';
const [pol, cname, seed, paras, min] = process.argv.slice(2);
const countTokens = cname === 'scaled' ? scaledWordTokens : subwordTokens;
const text = renderDocument(syntheticDocument(+seed, +paras));
const chunks = chunkDocument({ text, policy: pol, countTokens });
chunks.forEach((c, i) => {
  const next = chunks[i + 1];
  if (c.tokenCount < +min && next && !next.text.startsWith('## ')) {
    console.log('VIOL', i, c.tokenCount);
    for (let j = i - 2; j <= i + 2; j++) if (chunks[j]) console.log('  ', j, chunks[j].tokenCount, JSON.stringify(chunks[j].text.slice(0, 50)), '...', JSON.stringify(chunks[j].text.slice(-30)));
  }
});
