/** A document's manifest row as stored. */
export interface DocumentRow {
  document_id: string;
  status: 'pending' | 'indexed' | 'deleted' | 'failed';
  content_hash: string | null;
  uri: string | null;
  title: string | null;
  model_id: string | null;
  model_version: string | null;
  active_version: string | null;
  chunk_count: number;
  failure_reason: string | null;
  failed_version: string | null;
  requested_op: 'UPSERT' | 'DELETE' | null;
  requested_hash: string | null;
  requested_version: string | null;
  requested_at: Date | null;
  indexed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface DocumentStatus {
  id: string;
  status: 'pending' | 'indexed' | 'deleted' | 'failed';
  reason: string | null;
  contentHash: string | null;
  version: number | null;
  chunkCount: number;
  model: { id: string; version: string | null } | null;
  createdAt: string;
  updatedAt: string;
  indexedAt: string | null;
}

const asNumber = (value: string | null) => (value === null ? null : Number(value));

/**
 * What GET /v1/documents/{id} reports. The stored status is what the indexer applied; a newer
 * request accepted by the gateway makes it `pending` until that version is applied, unless the
 * request changed nothing (same content hash: the chunk/embed worker skips it) or it failed.
 */
export function documentStatus(row: DocumentRow): DocumentStatus {
  const requested = asNumber(row.requested_version);
  const active = asNumber(row.active_version);
  const failed = asNumber(row.failed_version);
  let status = row.status;
  if (requested !== null && (active === null || requested > active)) {
    const unchanged = row.requested_op === 'UPSERT' && row.status === 'indexed' && row.requested_hash === row.content_hash;
    const deletedAlready = row.requested_op === 'DELETE' && row.status === 'deleted';
    const failedRequest = failed !== null && failed >= requested;
    if (failedRequest) status = 'failed';
    else if (!unchanged && !deletedAlready) status = 'pending';
  }
  return {
    id: row.document_id,
    status,
    reason: status === 'failed' ? row.failure_reason : null,
    contentHash: status === 'pending' ? row.requested_hash : row.content_hash,
    version: active,
    chunkCount: row.chunk_count,
    model: row.model_id ? { id: row.model_id, version: row.model_version } : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    indexedAt: row.indexed_at ? row.indexed_at.toISOString() : null,
  };
}
