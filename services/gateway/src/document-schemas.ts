import { z } from 'zod';

export const contentTypes = ['text/plain', 'text/markdown', 'text/html'] as const;
export const chunkingPolicies = ['default', 'faq', 'procedural'] as const;
const metadataKey = /^[A-Za-z0-9_.-]{1,64}$/;

/** Document ids appear in URLs and Kafka keys: printable, no whitespace, at most 512 chars. */
export const documentId = z
  .string()
  .min(1)
  .max(512)
  .refine((id) => ![...id].some((ch) => ch.trim() === '' || ch.charCodeAt(0) < 0x20), 'must not contain whitespace or control characters');

export const documentInput = z.strictObject({
  id: documentId,
  content: z.string().min(1, 'must not be empty'),
  title: z.string().max(1000).optional(),
  uri: z.string().max(4096).optional(),
  contentType: z.enum(contentTypes).default('text/plain'),
  metadata: z
    .record(z.string(), z.string().max(4096))
    .default({})
    .refine((m) => Object.keys(m).every((k) => metadataKey.test(k)), { message: `metadata keys must match ${metadataKey.source}` }),
  chunking: z.enum(chunkingPolicies).default('default'),
});

export type DocumentInput = z.infer<typeof documentInput>;

/** A request body holds one document, an array of them, or `{ documents: [...] }`. */
export function documentsBody(maxBatch: number) {
  return z.array(documentInput).min(1, 'at least one document is required').max(maxBatch, `at most ${maxBatch} documents per request`);
}

export const acceptedResponse = z.object({
  documents: z.array(z.object({ id: z.string(), contentHash: z.string(), eventId: z.string() })),
});
