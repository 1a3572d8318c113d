import { createLogger } from '@ragmesh/telemetry';
import { describe, expect, it } from 'vitest';
import { whenAvailable } from './when-available.js';

const logger = createLogger({ service: 'test', level: 'error' });
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('whenAvailable', () => {
  it('waits out an unreachable dependency and returns what the step returns', async () => {
    let calls = 0;
    const result = await whenAvailable('postgres', async () => {
      calls++;
      if (calls < 3) throw refused();
      return 'migrated';
    }, logger);
    expect(result).toBe('migrated');
    expect(calls).toBe(3);
  });

  it('stops at a refusal, naming the dependency, the reason and the setting to check', async () => {
    const denied = Object.assign(new Error('password authentication failed for user "ragmesh"'), { code: '28P01' });
    await expect(whenAvailable('postgres', () => Promise.reject(denied), logger)).rejects.toThrow(
      'postgres refuses this service (check DATABASE_URL and the role\'s grants): postgres refused this service (28P01): password authentication failed for user "ragmesh"',
    );
  });

  it('passes any other error through at once', async () => {
    let calls = 0;
    const bug = new TypeError('x is not a function');
    await expect(whenAvailable('kafka', () => { calls++; return Promise.reject(bug); }, logger)).rejects.toBe(bug);
    expect(calls).toBe(1);
  });
});
