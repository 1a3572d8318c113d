// BEIR SciFact as benchmark documents, the deterministic "1% edit", and the chunk texts the
// chunk-embed worker embeds for them (same normalization, chunker, policy and title prefix).
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chunkDocument, getPolicy, normalizeContent, sha256Hex } from '@ragmesh/chunking';

/** Reads `corpus.jsonl` ({_id, title, text} per line); `limit` > 0 keeps the first `limit` docs. */
export async function loadScifact(dir, limit = 0) {
  const path = join(dir, 'corpus.jsonl');
  let text;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${path} (set SCIFACT_DIR to the folder holding BEIR scifact's corpus.jsonl): ${error.message}`, { cause: error });
  }
  const docs = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const row = JSON.parse(line);
    docs.push({ id: String(row._id), title: String(row.title ?? ''), text: String(row.text ?? '') });
    if (limit > 0 && docs.length >= limit) break;
  }
  return { path, docs };
}

export const EDIT_SENTENCE = 'A follow-up analysis, added in this revision, confirmed the direction of the main effect in an independent cohort.';

/**
 * The documents of the "1% edit" step: `count` docs spread evenly over the corpus, each with one
 * sentence inserted at the sentence boundary nearest the middle of its text (a mid-document
 * edit, the common case: neither an append at the end nor a rewrite of the whole text).
 */
export function editedDocuments(docs, count) {
  const n = Math.min(count, docs.length);
  const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
  const picked = [];
  for (let k = 0; k < n; k++) picked.push(docs[Math.floor((k * docs.length) / n)]);
  return picked.map((doc) => {
    const middle = doc.text.length / 2;
    let at = doc.text.length;
    let best = Infinity;
    for (const s of segmenter.segment(doc.text)) {
      const end = s.index + s.segment.length;
      if (end < doc.text.length && Math.abs(end - middle) < best) {
        best = Math.abs(end - middle);
        at = end;
      }
    }
    const before = doc.text.slice(0, at).trimEnd();
    const after = doc.text.slice(at).trimStart();
    return { ...doc, text: after === '' ? `${before} ${EDIT_SENTENCE}` : `${before} ${EDIT_SENTENCE} ${after}` };
  });
}

/**
 * What chunk-embed embeds for each document (see services/chunk-embed/src/app.ts `prepare`):
 * normalizeContent(text/plain) → chunkDocument(default policy, title prepended, the model's
 * countTokens and maxTokens) → embedText. Returns per-doc chunk lists and the unique texts in
 * corpus order (the worker embeds each distinct text once).
 */
export function meshChunks(docs, embedder) {
  const policy = getPolicy('default');
  const perDoc = [];
  const unique = new Map();
  for (const doc of docs) {
    const normalized = normalizeContent({ content: doc.text, contentType: 'text/plain' });
    const chunks = chunkDocument({
      text: normalized, title: doc.title || undefined, policy, countTokens: (t) => embedder.countTokens(t), maxTokens: embedder.model.maxTokens,
    });
    perDoc.push(chunks.length);
    for (const c of chunks) {
      const h = sha256Hex(c.embedText);
      if (!unique.has(h)) unique.set(h, c.embedText);
    }
  }
  return { chunkCount: perDoc.reduce((a, b) => a + b, 0), perDoc, uniqueTexts: [...unique.values()] };
}

/** SciFact's test judgements: query texts by id, and per query the relevance of each judged document. */
export function loadScifactJudgements(dir) {
  const queries = new Map(readFileSync(join(dir, 'queries.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).map((q) => [q._id, q.text]));
  const qrels = new Map();
  for (const line of readFileSync(join(dir, 'qrels/test.tsv'), 'utf8').split('\n').slice(1)) {
    const [qid, docId, score] = line.replace(/\r$/, '').split('\t');
    if (!qid || !docId) continue;
    if (!qrels.has(qid)) qrels.set(qid, new Map());
    qrels.get(qid).set(docId, Number(score));
  }
  return { queries, qrels };
}

/** trec_eval ndcg_cut.10 with linear gain, over documents ranked best first. */
export function ndcgAt10(ranked, relevant) {
  let dcg = 0;
  ranked.slice(0, 10).forEach((doc, i) => (dcg += (relevant.get(doc) ?? 0) / Math.log2(i + 2)));
  const ideal = [...relevant.values()].sort((a, b) => b - a).slice(0, 10);
  const idcg = ideal.reduce((sum, gain, i) => sum + gain / Math.log2(i + 2), 0);
  return idcg === 0 ? 0 : dcg / idcg;
}
