export { ChunkingError, chunkingErrorCodes, type ChunkingErrorCode } from './chunking-error.js';
export {
  normalizeContent,
  supportedContentTypes,
  type NormalizeContentInput,
  type SupportedContentType,
} from './normalize-content.js';
export { contentHash, sha256Hex, type ContentHashInput } from './content-hash.js';
export { policies, policyNames, getPolicy, capPolicy, type ChunkingPolicy, type PolicyName } from './policies.js';
export { chunkDocument, type Chunk, type ChunkDocumentInput } from './chunk-document.js';
export type { CountTokens } from './token-budget.js';
