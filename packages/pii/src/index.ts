export { builtInPiiKinds, compilePatterns, detectPii, luhnValid, type PiiMatch, type PiiPattern } from './detect.js';
export { createPiiVault, PII_TOKEN, restoreTokens, tokensIn, type PiiVault, type Redaction } from './vault.js';
export { createTenantRedactor, piiKeyFrom, POLICY_TTL_MS, type PolicySource, type Redact, type TenantRedactor } from './tenant-redactor.js';
