import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import { createBertTokenizer } from './bert-tokenizer.js';
import type { Embedder } from './embedder.js';
import { EmbeddingError } from './embedding-error.js';
import { createLocalEmbedder } from './local-embedder.js';
import { isLocalModelId, localModels } from './local-models.js';

export interface LoadLocalEmbedderOptions {
  /**
   * Folder of this one model as deploy/local/models.sh lays it out: `model.onnx`,
   * `tokenizer.json`, optionally `tokenizer_config.json`. See `localModelDir`.
   */
  modelDir: string;
  /** One of `localModels`' keys; picks pooling, max length and query prefix. */
  modelId: string;
  /** Texts per ONNX run. Default 32. */
  batchSize?: number;
  /** onnxruntime intra-op threads; default: onnxruntime's choice (one per physical core). */
  threads?: number;
  /**
   * Let onnxruntime's idle threads busy-wait for the next operator (its default). Off here: in a
   * worker the model shares the cores with Kafka, Postgres and the indexer, and spinning threads
   * burn the CPU those need between and during runs.
   */
  spinWait?: boolean;
}

/** Where deploy/local/models.sh puts models when RAGMESH_MODELS_DIR is not set. */
export function defaultModelsDir(): string {
  return join(homedir(), '.cache', 'ragmesh', 'models');
}

/** The folder of `modelId` under a models root (RAGMESH_MODELS_DIR / `defaultModelsDir()`). */
export function localModelDir(modelsDir: string, modelId: string): string {
  return join(modelsDir, modelId);
}

/** First 12 hex digits of the file's sha256, streamed (the fp32 bge file is 133 MB). */
async function shortSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex').slice(0, 12);
}

async function readJson(path: string): Promise<object> {
  return JSON.parse(await readFile(path, 'utf8')) as object;
}

async function readOptionalJson(path: string): Promise<object> {
  try {
    return await readJson(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}

/**
 * Token counting of a local model without loading the model: its tokenizer only. For the thread
 * that does not run the model (see createThreadedEmbedder), counting exactly as the model's
 * embedder does.
 */
export async function loadLocalTokenCounter(options: Pick<LoadLocalEmbedderOptions, 'modelDir'>): Promise<(text: string) => number> {
  try {
    const tokenizer = createBertTokenizer(await readJson(join(options.modelDir, 'tokenizer.json')), await readOptionalJson(join(options.modelDir, 'tokenizer_config.json')));
    return (text) => tokenizer.encode(text).length;
  } catch (error) {
    throw new EmbeddingError('MODEL_LOAD_FAILED', `cannot load the tokenizer from ${options.modelDir} (run deploy/local/models.sh)`, { cause: error });
  }
}

/**
 * Loads an ONNX embedding model and its tokenizer from `modelDir` and returns an Embedder that
 * runs on the CPU in this process. Call once at startup and share the result; `close()` frees
 * the session. Fails with `MODEL_LOAD_FAILED` when the files are missing or unreadable (run
 * deploy/local/models.sh) and `INVALID_CONFIG` for an unknown model id.
 */
export async function loadLocalEmbedder(options: LoadLocalEmbedderOptions): Promise<Embedder> {
  const { modelDir, modelId } = options;
  if (!isLocalModelId(modelId)) {
    throw new EmbeddingError('INVALID_CONFIG', `unknown local model '${modelId}'; supported: ${Object.keys(localModels).join(', ')}`);
  }
  const modelPath = join(modelDir, 'model.onnx');
  let session: InferenceSession;
  let version: string;
  let tokenizerJson: object;
  let tokenizerConfig: object;
  try {
    [version, tokenizerJson, tokenizerConfig] = await Promise.all([
      shortSha256(modelPath),
      readJson(join(modelDir, 'tokenizer.json')),
      readOptionalJson(join(modelDir, 'tokenizer_config.json')),
    ]);
    session = await InferenceSession.create(modelPath, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
      extra: { session: { intra_op: { allow_spinning: options.spinWait ? '1' : '0' }, inter_op: { allow_spinning: options.spinWait ? '1' : '0' } } },
    });
  } catch (error) {
    throw new EmbeddingError('MODEL_LOAD_FAILED', `cannot load ${modelId} from ${modelDir} (run deploy/local/models.sh)`, { cause: error });
  }
  try {
    for (const input of ['input_ids', 'attention_mask']) {
      if (!session.inputNames.includes(input)) {
        throw new EmbeddingError('MODEL_LOAD_FAILED', `${modelPath} has no '${input}' input (inputs: ${session.inputNames.join(', ')})`);
      }
    }
    const tokenizer = createBertTokenizer(tokenizerJson, tokenizerConfig);
    const embedder = createLocalEmbedder({ session, tokenizer, modelId, version, batchSize: options.batchSize });
    // One tiny run proves the export's output shape matches the spec before any real traffic.
    await embedder.embed(['ok'], 'document');
    return embedder;
  } catch (error) {
    await session.release();
    if (error instanceof EmbeddingError && error.code !== 'MODEL_CALL_FAILED' && error.code !== 'INVALID_RESPONSE') throw error;
    throw new EmbeddingError('MODEL_LOAD_FAILED', `${modelId} from ${modelDir} is not a usable embedding model`, { cause: error });
  }
}
