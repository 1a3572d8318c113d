import { createHash } from 'node:crypto';
import type { ChunkVector, DocumentEvent, VectorBatch } from '@ragmesh/contracts';

export interface PreparedChunk {
  ordinal: number;
  text: string;
  embedText: string;
  tokenCount: number;
  textHash: string;
}

/**
 * Chunk ids derive from content: the same text in the same document under the same model keeps
 * its id across versions (so its row is left alone), and repeated texts are numbered.
 */
export function chunkIds(options: { documentId: string; modelId: string; textHashes: string[] }): string[] {
  const seen = new Map<string, number>();
  return options.textHashes.map((textHash) => {
    const occurrence = seen.get(textHash) ?? 0;
    seen.set(textHash, occurrence + 1);
    return createHash('sha256').update(`${options.documentId}\u0000${options.modelId}\u0000${textHash}\u0000${occurrence}`).digest('hex').slice(0, 32);
  });
}

export interface BuildOptions {
  event: DocumentEvent;
  contentHash: string;
  model: { id: string; version: string; dims: number };
  /** Index generation the version is built for. */
  generation: number;
  /** The chunking policy the chunks were made with (the generation's, or the event's own). */
  chunking: string;
  chunks: PreparedChunk[];
  vectors: Float32Array[];
  partChunks: number;
}

/** The vectors.upsert messages of one document version, split into parts of `partChunks` chunks. */
export function buildVectorBatches(options: BuildOptions): VectorBatch[] {
  const { event, chunks } = options;
  const ids = chunkIds({ documentId: event.documentId, modelId: options.model.id, textHashes: chunks.map((c) => c.textHash) });
  const all: ChunkVector[] = chunks.map((chunk, i) => ({
    chunkId: ids[i]!,
    ordinal: chunk.ordinal,
    text: chunk.text,
    textHash: chunk.textHash,
    tokenCount: chunk.tokenCount,
    embedding: Array.from(options.vectors[i]!),
  }));
  const partCount = Math.max(1, Math.ceil(all.length / options.partChunks));
  return Array.from({ length: partCount }, (_, part) => ({
    eventId: event.eventId,
    op: 'UPSERT' as const,
    tenant: event.tenant,
    documentId: event.documentId,
    version: event.sourceTime,
    contentHash: options.contentHash,
    uri: event.uri,
    title: event.title,
    metadata: event.metadata,
    chunking: options.chunking,
    model: options.model,
    part,
    partCount,
    chunkCount: all.length,
    chunks: all.slice(part * options.partChunks, (part + 1) * options.partChunks),
    sourceTime: event.sourceTime,
    generation: options.generation,
  }));
}

/** The vectors.upsert message that deletes a document. */
export function deleteBatch(event: DocumentEvent, target: { model: { id: string; version: string; dims: number }; generation: number }): VectorBatch {
  return {
    eventId: event.eventId, op: 'DELETE', tenant: event.tenant, documentId: event.documentId, version: event.sourceTime,
    contentHash: '', uri: null, title: null, metadata: {}, chunking: event.chunking, model: target.model, part: 0, partCount: 1, chunkCount: 0,
    chunks: [], sourceTime: event.sourceTime, generation: target.generation,
  };
}
