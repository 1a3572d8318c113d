// Entry of the worker thread behind createThreadedEmbedder: builds the embedder the main thread
// asked for and answers its embed requests, so the model's CPU time never blocks the main
// thread's event loop (Kafka heartbeats, HTTP, database replies).
import { parentPort, workerData } from 'node:worker_threads';
import { createEmbedder, type EmbedderConfig } from './create-embedder.js';
import type { EmbedKind } from './embedder.js';
import { EmbeddingError } from './embedding-error.js';

export type ThreadRequest = { type: 'embed'; id: number; texts: string[]; kind: EmbedKind } | { type: 'close' };
export type ThreadReply =
  | { type: 'ready'; model: { id: string; version: string; dims: number; maxTokens: number } }
  | { type: 'load-failed'; error: SerializedError }
  | { type: 'result'; id: number; vectors: Float32Array[] }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'closed' };
export interface SerializedError {
  code: string;
  message: string;
  retriable: boolean;
}

const serialize = (error: unknown): SerializedError =>
  error instanceof EmbeddingError
    ? { code: error.code, message: error.message, retriable: error.retriable }
    : { code: 'MODEL_CALL_FAILED', message: error instanceof Error ? error.message : String(error), retriable: false };

const port = parentPort!;
try {
  const embedder = await createEmbedder(workerData as EmbedderConfig);
  port.on('message', (request: ThreadRequest) => {
    if (request.type === 'close') {
      void embedder.close().finally(() => {
        port.postMessage({ type: 'closed' } satisfies ThreadReply);
        port.close();
      });
      return;
    }
    embedder.embed(request.texts, request.kind).then(
      (vectors) => port.postMessage({ type: 'result', id: request.id, vectors } satisfies ThreadReply, vectors.map((v) => v.buffer as ArrayBuffer)),
      (error: unknown) => port.postMessage({ type: 'error', id: request.id, error: serialize(error) } satisfies ThreadReply),
    );
  });
  port.postMessage({ type: 'ready', model: { ...embedder.model } } satisfies ThreadReply);
} catch (error) {
  port.postMessage({ type: 'load-failed', error: serialize(error) } satisfies ThreadReply);
}
