#!/usr/bin/env node
import { loadOrExit } from '@ragmesh/config';
import { createLogger } from '@ragmesh/telemetry';
import { Command } from 'commander';
import { registerSchemas } from './commands/schemas.js';
import { ensureMeshTopics } from './commands/topics.js';
import { loadConfig } from './config.js';

const config = loadOrExit(() => loadConfig(), 'ragmesh');
const logger = createLogger({ service: 'ragmesh-cli', level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL });
const program = new Command('ragmesh').description('Operate a ragmesh deployment');

const topicsCommand = program.command('topics').description('Kafka topics of the mesh');
topicsCommand
  .command('ensure')
  .description('wait for Kafka, then create the missing mesh topics')
  .option('--wait <seconds>', 'how long to wait for Kafka', '60')
  .action(async (options: { wait: string }) => {
    const created = await ensureMeshTopics(config, { logger, waitSeconds: Number(options.wait) });
    console.log(created.length ? `created topics: ${created.join(', ')}` : 'topics: all present');
  });

program
  .command('schemas')
  .description('register every event schema in the registry (BACKWARD compatibility)')
  .command('register')
  .action(async () => {
    await registerSchemas(config);
    console.log('schemas: registered');
  });

program.parseAsync().catch((error: unknown) => {
  console.error(`ragmesh: ${error instanceof Error ? error.message : String(error)}`);
  if (error instanceof Error && error.cause) console.error(`  cause: ${String(error.cause)}`);
  process.exit(1);
});
