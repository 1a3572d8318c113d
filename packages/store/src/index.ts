export { migrate } from './migrate.js';
export { migrations } from './migrations.js';
export { withTenant, type TenantScope } from './with-tenant.js';
export { prepared } from './prepared.js';
export { createPool } from './pool.js';
export { StoreError, storeErrorCodes, type StoreErrorCode } from './store-error.js';
export {
  apiKeyScopes, createApiKeyStore, defaultApiKeyScopes, hashApiKey, type ApiKeyGrant, type ApiKeyInfo, type ApiKeyScope, type ApiKeyStore,
} from './api-keys.js';
export { createDocumentRequests, type DocumentRequests, type DocumentRequest } from './document-requests.js';
export { documentStatus, type DocumentStatus, type DocumentRow } from './document-status.js';
export { createIndexWriter, createVectorIndex, type VectorGraph, type IndexWriter, type DocumentVersion, type ChunkInput, type ApplyResult, type ApplyOutcome } from './index-writer.js';
export { corpusVersion } from './corpus-version.js';
export { analyzeTables } from './analyze.js';
export {
  createGenerationStore, followingStates, generationGroupId, generationStates, vectorIndexName,
  type Generation, type GenerationSpec, type GenerationState, type GenerationStore, type TenantGeneration, type EmbeddingProviderName,
} from './generations.js';
export { generationCounts, type GenerationCounts } from './generation-counts.js';
export { createTenantLimits, listAudit, type TenantLimits, type TenantLimitStore } from './tenant-limits.js';
export { createPiiTokenStore, createTenantPolicies, type PiiTokenStore, type TenantPolicy, type TenantPolicyStore } from './pii-store.js';
