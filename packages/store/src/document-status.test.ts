import { describe, expect, it } from 'vitest';
import { documentStatus, type DocumentRow } from './document-status.js';

const base: DocumentRow = {
  document_id: 'doc-1', status: 'indexed', content_hash: 'h1', uri: null, title: null, model_id: 'm', model_version: '1',
  active_version: '100', chunk_count: 3, failure_reason: null, failed_version: null, requested_op: 'UPSERT',
  requested_hash: 'h1', requested_version: '100', requested_at: new Date(0), indexed_at: new Date(0),
  created_at: new Date(0), updated_at: new Date(0),
};

describe('documentStatus', () => {
  it('reports the applied state when no newer request is waiting', () => {
    expect(documentStatus(base)).toMatchObject({ status: 'indexed', contentHash: 'h1', version: 100, chunkCount: 3 });
  });

  it('is pending while a newer request with other content is in flight', () => {
    expect(documentStatus({ ...base, requested_version: '200', requested_hash: 'h2' })).toMatchObject({ status: 'pending', contentHash: 'h2', version: 100 });
    expect(documentStatus({ ...base, status: 'pending', active_version: null })).toMatchObject({ status: 'pending' });
  });

  it('stays indexed when the newer request had the same content (skipped unchanged)', () => {
    expect(documentStatus({ ...base, requested_version: '200' })).toMatchObject({ status: 'indexed' });
  });

  it('is pending for a requested delete until applied, then deleted', () => {
    expect(documentStatus({ ...base, requested_op: 'DELETE', requested_version: '200' }).status).toBe('pending');
    expect(documentStatus({ ...base, status: 'deleted', requested_op: 'DELETE', requested_version: '200', active_version: '200' }).status).toBe('deleted');
  });

  it('reports the failure reason of the requested version', () => {
    const failed = documentStatus({ ...base, requested_version: '200', requested_hash: 'h2', failed_version: '200', failure_reason: 'too large' });
    expect(failed).toMatchObject({ status: 'failed', reason: 'too large' });
  });
});
