import type { Logger } from '@ragmesh/telemetry';
import { configurationProblem, isInfrastructureError } from './worker-error.js';

// The setting a refusal at startup points to.
const settingOf: Record<string, string> = {
  postgres: 'DATABASE_URL and the role\'s grants',
  kafka: 'KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD and the principal\'s ACLs',
  'the schema registry': 'SCHEMA_REGISTRY_URL',
};

/**
 * Runs a startup step (migrations, connecting, registering schemas) until the dependency it needs
 * answers: a service started during an outage waits for it (logging `waiting for <what>` every
 * 30 s at most) instead of exiting and being restarted in a loop. A refusal (bad credentials, a
 * missing grant) ends startup with the reason and the setting to check; any other error ends it
 * as it is.
 */
export async function whenAvailable<T>(what: string, step: () => Promise<T>, logger: Logger): Promise<T> {
  let delay = 250;
  let loggedAt = 0;
  for (;;) {
    try {
      return await step();
    } catch (error) {
      const problem = configurationProblem(error);
      if (problem) {
        logger.error(`${what} refuses this service: check ${settingOf[what] ?? 'its settings'}`, { problem });
        throw new Error(`${what} refuses this service (check ${settingOf[what] ?? 'its settings'}): ${problem}`, { cause: error });
      }
      if (!isInfrastructureError(error)) throw error;
      if (Date.now() - loggedAt >= 30_000) {
        logger.warn(`waiting for ${what}`, { error: String(error) });
        loggedAt = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 5_000);
    }
  }
}
