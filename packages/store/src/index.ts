export { migrate } from './migrate.js';
export { migrations } from './migrations.js';
export { withTenant } from './with-tenant.js';
export { createPool } from './pool.js';
export { StoreError, storeErrorCodes, type StoreErrorCode } from './store-error.js';
