import { z } from 'zod';

export const queryInput = z.strictObject({
  query: z.string().trim().min(1, 'must not be empty').max(4000),
  topK: z.number().int().min(1).max(100).default(10),
  mode: z.enum(['hybrid', 'dense', 'sparse']).default('hybrid'),
  filter: z.unknown().optional(),
  mmr: z.strictObject({ lambda: z.number().min(0).max(1), fetchK: z.number().int().min(1).max(1000) }).optional(),
  answer: z.boolean().default(false),
  /** Search this generation instead of the active one (building or standby: compare before a cutover). */
  generation: z.number().int().min(1).optional(),
  /** Hits with the tenant's PII tokens replaced by the original values (keys with the pii:read scope). */
  restorePii: z.boolean().default(false),
});

export type QueryInput = z.infer<typeof queryInput>;
