import { createSerde, topics } from '@ragmesh/contracts';
import type { CliConfig } from '../config.js';

/** Registers every event schema under `<topic>-value` with BACKWARD compatibility (deploy step). */
export async function registerSchemas(config: CliConfig): Promise<void> {
  const serde = createSerde({ registryUrl: config.SCHEMA_REGISTRY_URL, topics: Object.values(topics) });
  await serde.register();
}
