import type { QueryResponse } from '@ragmesh/contracts';
import { restoreTokens, tokensIn, type PiiVault, type TenantRedactor } from '@ragmesh/pii';
import type { PiiTokenStore } from '@ragmesh/store';
import { GatewayError } from './gateway-error.js';

type Hit = QueryResponse['hits'][number];

const mapStrings = (value: unknown, f: (s: string) => string): unknown =>
  typeof value === 'string' ? f(value)
  : Array.isArray(value) ? value.map((v) => mapStrings(v, f))
  : value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]))
  : value;

/**
 * The gateway's side of PII redaction: a question (and its filter values) is tokenized as the
 * tenant's documents were, before it enters queries.request, so naming a value finds it and no
 * raw value reaches Kafka, the retriever or its cache; a document request is recorded with its
 * URI and title tokenized too; hits are restored from the sealed map only for keys with the
 * pii:read scope.
 */
export function createQueryPii(deps: { redactor: TenantRedactor; vault: PiiVault | null; tokens: Pick<PiiTokenStore, 'load'> }) {
  /** The values behind the tokens in `texts`, opened from the sealed map. */
  async function valuesOf(tenant: string, texts: string[]): Promise<Map<string, string>> {
    const vault = deps.vault;
    if (!vault) throw new GatewayError('VALIDATION_FAILED', 'restorePii: PII restore is not configured (PII_ENCRYPTION_KEY)', { details: { fields: [{ field: 'restorePii', problem: 'not configured' }] } });
    const sealed = await deps.tokens.load(tenant, texts.flatMap(tokensIn));
    return new Map([...sealed].map(([token, box]) => [token, vault.open(tenant, token, box)]));
  }

  return {
    /** `text` (a generated answer) with the tenant's tokens replaced by their values. */
    async restoreText(tenant: string, text: string): Promise<string> {
      return restoreTokens(text, await valuesOf(tenant, [text]));
    },

    async redactQuery(tenant: string, text: string, filter: unknown): Promise<{ text: string; filter: unknown }> {
      const redact = await deps.redactor.forTenant(tenant);
      if (!redact) return { text, filter };
      const values = new Map<string, string>();
      return { text: redact(text, values), filter: mapStrings(filter, (s) => redact(s, values)) };
    },

    /** A document's URI and title as the gateway may record them: tokens for a redacting tenant's PII. */
    async redactRecord(tenant: string, record: { uri: string | null; title: string | null }): Promise<{ uri: string | null; title: string | null }> {
      const redact = await deps.redactor.forTenant(tenant);
      if (!redact) return record;
      const values = new Map<string, string>();
      return { uri: record.uri === null ? null : redact(record.uri, values), title: record.title === null ? null : redact(record.title, values) };
    },

    /** Hits with every token of the tenant's map replaced by its value (tokens not in the map stay). */
    async restoreHits(tenant: string, hits: Hit[]): Promise<Hit[]> {
      const values = await valuesOf(tenant, hits.flatMap((h) => [h.text, h.title ?? '', h.uri ?? '', ...Object.values(h.metadata)]));
      if (values.size === 0) return hits;
      const restore = (s: string) => restoreTokens(s, values);
      return hits.map((h) => ({
        ...h, text: restore(h.text), title: h.title === null ? null : restore(h.title), uri: h.uri === null ? null : restore(h.uri),
        metadata: Object.fromEntries(Object.entries(h.metadata).map(([k, v]) => [k, restore(v)])),
      }));
    },
  };
}

export type QueryPii = ReturnType<typeof createQueryPii>;
