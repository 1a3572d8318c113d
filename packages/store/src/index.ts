export { migrate } from './migrate.js';
export { migrations } from './migrations.js';
export { withTenant } from './with-tenant.js';
export { createPool } from './pool.js';
export { StoreError, storeErrorCodes, type StoreErrorCode } from './store-error.js';
export { createApiKeyStore, hashApiKey, type ApiKeyStore } from './api-keys.js';
export { createDocumentRequests, type DocumentRequests, type DocumentRequest } from './document-requests.js';
export { documentStatus, type DocumentStatus, type DocumentRow } from './document-status.js';
export { createIndexWriter, type IndexWriter, type DocumentVersion, type ChunkInput, type ApplyResult, type ApplyOutcome } from './index-writer.js';
