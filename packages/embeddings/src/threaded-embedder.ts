import { Worker } from 'node:worker_threads';
import type { EmbedderConfig } from './create-embedder.js';
import type { Embedder, EmbedKind, ModelInfo } from './embedder.js';
import type { SerializedError, ThreadReply, ThreadRequest } from './embedder-thread.js';
import { EmbeddingError, embeddingErrorCodes, type EmbeddingErrorCode } from './embedding-error.js';

const toError = (e: SerializedError) =>
  new EmbeddingError((embeddingErrorCodes as readonly string[]).includes(e.code) ? (e.code as EmbeddingErrorCode) : 'MODEL_CALL_FAILED', e.message, { retriable: e.retriable });

/**
 * An embedder whose model runs in a worker thread: a model call takes seconds of CPU, and on the
 * main thread it would hold the event loop, so Kafka heartbeats stop and a slice that outlasts the
 * group session costs the worker its membership (and the slice is delivered again). Here the
 * main thread stays free whatever the model does. `countTokens` stays on the calling thread
 * (chunking needs it synchronously): `countTokens` must count exactly as the threaded model does.
 * A thread that dies fails the calls in flight (retriable) and is started again by the next call.
 */
export async function createThreadedEmbedder(options: { config: EmbedderConfig; countTokens: (text: string) => number }): Promise<Embedder> {
  const pending = new Map<number, { resolve: (v: Float32Array[]) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let closing = false;

  function spawn(): Promise<{ worker: Worker; model: ModelInfo }> {
    const worker = new Worker(new URL('./embedder-thread.js', import.meta.url), { workerData: options.config });
    return new Promise((resolve, reject) => {
      let model: ModelInfo | undefined;
      worker.on('message', (reply: ThreadReply) => {
        switch (reply.type) {
          case 'ready':
            model = reply.model;
            resolve({ worker, model });
            return;
          case 'load-failed':
            reject(toError(reply.error));
            void worker.terminate();
            return;
          case 'result':
            pending.get(reply.id)?.resolve(reply.vectors);
            pending.delete(reply.id);
            return;
          case 'error':
            pending.get(reply.id)?.reject(toError(reply.error));
            pending.delete(reply.id);
            return;
          case 'closed':
            return;
        }
      });
      worker.on('error', (error) => {
        if (!model) reject(new EmbeddingError('MODEL_LOAD_FAILED', `embedding thread failed to start: ${error.message}`, { cause: error }));
      });
      worker.on('exit', (code) => {
        if (current?.worker === worker) current = undefined;
        for (const [id, call] of pending) {
          call.reject(new EmbeddingError('MODEL_CALL_FAILED', `embedding thread exited (code ${code})`, { retriable: !closing }));
          pending.delete(id);
        }
      });
    });
  }

  let current: { worker: Worker; model: ModelInfo } | undefined = await spawn();
  const model = current.model;

  return {
    model,
    countTokens: options.countTokens,
    async embed(texts: readonly string[], kind: EmbedKind): Promise<Float32Array[]> {
      if (closing) throw new EmbeddingError('CLOSED', `embedder ${model.id} is closed`);
      if (texts.length === 0) return [];
      current ??= await spawn();
      const id = nextId++;
      const result = new Promise<Float32Array[]>((resolve, reject) => pending.set(id, { resolve, reject }));
      current.worker.postMessage({ type: 'embed', id, texts: [...texts], kind } satisfies ThreadRequest);
      return result;
    },
    async close(): Promise<void> {
      closing = true;
      const worker = current?.worker;
      if (!worker) return;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage({ type: 'close' } satisfies ThreadRequest);
      const timer = setTimeout(() => void worker.terminate(), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
