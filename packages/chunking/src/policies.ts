import { ChunkingError } from './chunking-error.js';

/** Token budgets of one chunking policy, measured on a chunk's `embedText` (title included). */
export interface ChunkingPolicy {
  readonly name: PolicyName;
  /** A chunk is at least this long unless its section (or the document) has no more text. */
  readonly minTokens: number;
  /** A chunk is never longer than this. */
  readonly maxTokens: number;
  /** Tokens of the previous chunk's tail repeated at the start of the next chunk of a section. */
  readonly overlapTokens: number;
}

export const policyNames = ['default', 'faq', 'procedural'] as const;
export type PolicyName = (typeof policyNames)[number];

/**
 * The policies a document can ask for. `default` suits a 256-token embedding model (MiniLM, BGE
 * small); `faq` keeps one question and its answer together; `procedural` keeps a whole procedure
 * with its steps, for models with a longer context.
 */
export const policies: Readonly<Record<PolicyName, ChunkingPolicy>> = {
  default: { name: 'default', minTokens: 100, maxTokens: 256, overlapTokens: 24 },
  faq: { name: 'faq', minTokens: 150, maxTokens: 300, overlapTokens: 30 },
  procedural: { name: 'procedural', minTokens: 400, maxTokens: 800, overlapTokens: 64 },
};

/** Looks a policy up by the name carried in a `documents.ingest` event. */
export function getPolicy(name: string): ChunkingPolicy {
  if (!(policyNames as readonly string[]).includes(name)) {
    throw new ChunkingError('UNKNOWN_POLICY', `unknown chunking policy "${name}"; expected one of ${policyNames.join(', ')}`);
  }
  return policies[name as PolicyName];
}

/**
 * Caps a policy at an embedding model's input limit. Min and overlap shrink in proportion so the
 * policy keeps its shape: procedural (400–800) under a 256-token model becomes 128–256.
 */
export function capPolicy(policy: ChunkingPolicy, modelMaxTokens: number | undefined): ChunkingPolicy {
  if (modelMaxTokens === undefined || modelMaxTokens >= policy.maxTokens) return policy;
  const ratio = modelMaxTokens / policy.maxTokens;
  return {
    name: policy.name,
    maxTokens: modelMaxTokens,
    minTokens: Math.floor(policy.minTokens * ratio),
    overlapTokens: Math.floor(policy.overlapTokens * ratio),
  };
}
