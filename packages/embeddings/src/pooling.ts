import type { Pooling } from './local-models.js';
import { l2Normalize } from './vector.js';

export interface PoolInput {
  /** `last_hidden_state`, row-major [batch, seqLen, dims]. */
  hidden: Float32Array;
  /** 1 for real tokens, 0 for padding, [batch, seqLen]. */
  mask: Uint8Array;
  batch: number;
  seqLen: number;
  dims: number;
  pooling: Pooling;
}

/**
 * Turns token vectors into one L2-normalized vector per text: `mean` averages the unmasked tokens
 * (sentence-transformers' mean pooling), `cls` takes the first token (bge).
 */
export function poolHiddenStates(input: PoolInput): Float32Array[] {
  const { hidden, mask, batch, seqLen, dims, pooling } = input;
  const out: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const base = b * seqLen * dims;
    let vector: Float32Array;
    switch (pooling) {
      case 'cls':
        vector = hidden.slice(base, base + dims);
        break;
      case 'mean': {
        // A sum is enough: the L2 normalization below cancels the mean's 1/count factor.
        vector = new Float32Array(dims);
        for (let t = 0; t < seqLen; t++) {
          if (mask[b * seqLen + t] === 0) continue;
          const offset = base + t * dims;
          for (let d = 0; d < dims; d++) vector[d] = vector[d]! + hidden[offset + d]!;
        }
        break;
      }
    }
    out.push(l2Normalize(vector));
  }
  return out;
}
