import type { Logger } from '@ragmesh/telemetry';
import { configurationProblem, isInfrastructureError } from './worker-error.js';

/**
 * Runs a startup step (migrations, connecting, registering schemas) until the dependency it needs
 * answers: a service started during an outage waits for it (logging `waiting for <what>` every
 * 30 s at most) instead of exiting and being restarted in a loop. A refusal (bad credentials, a
 * missing grant) or any other error ends startup with the reason, as before.
 */
export async function whenAvailable<T>(what: string, step: () => Promise<T>, logger: Logger): Promise<T> {
  let delay = 250;
  let loggedAt = 0;
  for (;;) {
    try {
      return await step();
    } catch (error) {
      if (configurationProblem(error) || !isInfrastructureError(error)) throw error;
      if (Date.now() - loggedAt >= 30_000) {
        logger.warn(`waiting for ${what}`, { error: String(error) });
        loggedAt = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 5_000);
    }
  }
}
