import { describe, expect, it } from 'vitest';
import { generationGroupId } from '@ragmesh/store';
import { createPacer } from './generation-workers.js';

describe('generation workers', () => {
  it('paces documents at the given rate without waiting for the first', async () => {
    const waits: number[] = [];
    const pace = createPacer(10, async (ms) => void waits.push(ms));
    await pace(5);
    await pace(5);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(400);
    expect(waits[0]).toBeLessThanOrEqual(500);
  });

  it('keeps the configured group for the default generation and suffixes the others', () => {
    expect(generationGroupId('ragmesh-chunk-embed', 1, 1)).toBe('ragmesh-chunk-embed');
    expect(generationGroupId('ragmesh-chunk-embed', 4, 1)).toBe('ragmesh-chunk-embed-g4');
  });
});
