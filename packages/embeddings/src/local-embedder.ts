import { Tensor, type InferenceSession } from 'onnxruntime-node';
import type { ModelTokenizer } from './bert-tokenizer.js';
import type { Embedder, EmbedKind, ModelInfo } from './embedder.js';
import { EmbeddingError } from './embedding-error.js';
import { createLimiter } from './limiter.js';
import { localModels, type LocalModelId } from './local-models.js';
import { poolHiddenStates } from './pooling.js';

/** The part of an onnxruntime `InferenceSession` the embedder uses. */
export type OnnxSession = Pick<InferenceSession, 'inputNames' | 'outputNames' | 'run' | 'release'>;

export interface LocalEmbedderDeps {
  session: OnnxSession;
  tokenizer: ModelTokenizer;
  modelId: LocalModelId;
  /** Digest of the weights (see ModelInfo.version); loadLocalEmbedder hashes model.onnx. */
  version: string;
  /** Texts per ONNX run, padded to the longest in the run. Default 32. */
  batchSize?: number;
  /**
   * Padded tokens per ONNX run (texts x longest): a run of long texts takes fewer texts. The
   * run's activations grow with texts x length², and onnxruntime keeps its largest run's memory
   * for reuse: 32 texts of 256 tokens peak at ~700 MB for MiniLM, 8 at ~300 MB, for the same CPU
   * per text. Default 2048.
   */
  maxBatchTokens?: number;
}

/**
 * Splits indices already sorted by ascending length into runs of at most `batchSize` texts and
 * at most `maxTokens` padded tokens (count x the run's longest); a text longer than the budget
 * runs alone.
 */
export function planRuns(order: readonly number[], lengthOf: (i: number) => number, limits: { batchSize: number; maxTokens: number }): number[][] {
  const runs: number[][] = [];
  let run: number[] = [];
  for (const i of order) {
    if (run.length > 0 && (run.length >= limits.batchSize || (run.length + 1) * lengthOf(i) > limits.maxTokens)) {
      runs.push(run);
      run = [];
    }
    run.push(i);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

const HIDDEN_STATE = 'last_hidden_state';

/**
 * Local ONNX embedder over an already created session and tokenizer. Most callers want
 * `loadLocalEmbedder`, which reads both from a model folder; this factory is the seam for tests.
 *
 * Texts are sorted by token length before batching so each run pads little (see planRuns), and truncated to
 * the model's max sequence length. `model.maxTokens` counts tokens as `countTokens` does
 * (special tokens excluded), so `countTokens(text) <= model.maxTokens` means nothing is cut.
 */
export function createLocalEmbedder(deps: LocalEmbedderDeps): Embedder {
  const { session, tokenizer, modelId } = deps;
  const spec = localModels[modelId];
  const batchSize = deps.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new EmbeddingError('INVALID_CONFIG', `batchSize must be a positive integer, got ${batchSize}`);
  }
  const maxBatchTokens = deps.maxBatchTokens ?? 2048;
  if (!Number.isInteger(maxBatchTokens) || maxBatchTokens < 1) {
    throw new EmbeddingError('INVALID_CONFIG', `maxBatchTokens must be a positive integer, got ${maxBatchTokens}`);
  }
  const model: ModelInfo = { id: modelId, version: deps.version, dims: spec.dims, maxTokens: spec.maxSequenceLength - 2 };
  const outputName = session.outputNames.includes(HIDDEN_STATE) ? HIDDEN_STATE : session.outputNames[0];
  // One ONNX run at a time: each already uses every core, concurrent runs only add contention.
  const runExclusive = createLimiter(1);
  let closed = false;

  function encode(text: string): number[] {
    const ids = tokenizer.encode(text).slice(0, model.maxTokens);
    return [tokenizer.clsId, ...ids, tokenizer.sepId];
  }

  async function runBatch(sequences: readonly number[][]): Promise<Float32Array[]> {
    if (closed) throw new EmbeddingError('CLOSED', `local embedder ${modelId} was closed during embed`);
    const batch = sequences.length;
    const seqLen = Math.max(...sequences.map((s) => s.length));
    const inputIds = new BigInt64Array(batch * seqLen).fill(BigInt(tokenizer.padId));
    const attention = new BigInt64Array(batch * seqLen);
    const mask = new Uint8Array(batch * seqLen);
    sequences.forEach((ids, b) => {
      ids.forEach((id, t) => {
        inputIds[b * seqLen + t] = BigInt(id);
        attention[b * seqLen + t] = 1n;
        mask[b * seqLen + t] = 1;
      });
    });
    const shape = [batch, seqLen];
    const available: Record<string, Tensor> = {
      input_ids: new Tensor('int64', inputIds, shape),
      attention_mask: new Tensor('int64', attention, shape),
      token_type_ids: new Tensor('int64', new BigInt64Array(batch * seqLen), shape),
    };
    const feeds: Record<string, Tensor> = {};
    for (const name of session.inputNames) {
      const tensor = available[name];
      if (!tensor) throw new EmbeddingError('MODEL_CALL_FAILED', `${modelId} wants an input '${name}' this embedder cannot feed`);
      feeds[name] = tensor;
    }
    let output: Tensor | undefined;
    try {
      output = (await session.run(feeds))[outputName ?? HIDDEN_STATE];
    } catch (error) {
      throw new EmbeddingError('MODEL_CALL_FAILED', `ONNX run of ${modelId} failed`, { cause: error });
    }
    if (!output || output.type !== 'float32' || output.dims.length !== 3 || output.dims[2] !== spec.dims) {
      throw new EmbeddingError('INVALID_RESPONSE', `${modelId} returned ${output?.type} [${output?.dims.join(', ')}], expected float32 [${batch}, ${seqLen}, ${spec.dims}]`);
    }
    const hidden = output.data as Float32Array;
    return poolHiddenStates({ hidden, mask, batch, seqLen, dims: spec.dims, pooling: spec.pooling });
  }

  async function embed(texts: readonly string[], kind: EmbedKind): Promise<Float32Array[]> {
    if (closed) throw new EmbeddingError('CLOSED', `local embedder ${modelId} is closed`);
    const prefix = kind === 'query' ? spec.queryPrefix : '';
    const sequences = texts.map((text) => encode(prefix + text));
    const order = sequences.map((_, i) => i).sort((a, b) => sequences[a]!.length - sequences[b]!.length);
    const vectors = new Array<Float32Array>(texts.length);
    for (const indices of planRuns(order, (i) => sequences[i]!.length, { batchSize, maxTokens: maxBatchTokens })) {
      const pooled = await runExclusive(() => runBatch(indices.map((i) => sequences[i]!)));
      indices.forEach((i, k) => (vectors[i] = pooled[k]!));
    }
    return vectors;
  }

  return {
    model,
    embed,
    countTokens: (text) => tokenizer.encode(text).length,
    close: async () => {
      if (closed) return;
      closed = true;
      await runExclusive(() => session.release());
    },
  };
}
