#!/usr/bin/env node
import { loadOrExit } from '@ragmesh/config';
import { dlqHeaders } from '@ragmesh/worker-runtime';
import { createLogger } from '@ragmesh/telemetry';
import { Command, InvalidArgumentError } from 'commander';
import { readDlq, replayDlq } from './commands/dlq.js';
import { ingestPaths } from './commands/ingest.js';
import { aclServices, applyKafkaAcls, type AclService } from './commands/kafka-acls.js';
import { registerReindexCommands } from './commands/reindex-commands.js';
import { createKey, listKeys, migrateDatabase, parseDuration, parseScopes, revokeKey } from './commands/keys.js';
import { purgeTenant } from './commands/purge.js';
import { readAudit, setTenantLimits, setTenantPolicy } from './commands/tenants.js';
import { registerSchemas } from './commands/schemas.js';
import { ensureMeshTopics } from './commands/topics.js';
import { loadConfig } from './config.js';

const config = loadOrExit(() => loadConfig(), 'ragmesh');
const logger = createLogger({ service: 'ragmesh-cli', level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL });
const program = new Command('ragmesh').description('Operate a ragmesh deployment');
const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
};

const topicsCommand = program.command('topics').description('Kafka topics of the mesh');
topicsCommand
  .command('ensure')
  .description('wait for Kafka, create the missing mesh topics and bring existing ones to their configs (documents.ingest compacted)')
  .option('--wait <seconds>', 'how long to wait for Kafka', positiveInt, 60)
  .action(async (options: { wait: number }) => {
    const { created, changed } = await ensureMeshTopics(config, { logger, waitSeconds: options.wait });
    if (created.length) console.log(`created topics: ${created.join(', ')}`);
    for (const c of changed) console.log(`changed ${c.topic}: ${c.config} ${c.from ?? '(default)'} -> ${c.to}`);
    if (!created.length && !changed.length) console.log('topics: all present, configs as specified');
  });

program
  .command('kafka-acls')
  .description('Kafka ACLs of the mesh\'s services')
  .command('apply')
  .description('grant each service\'s principal only the topics and groups it needs (run with an admin principal; idempotent)')
  .option('--principal <service=principal>', `a service's principal, e.g. gateway=User:gw-prod (default User:<service>; services: ${aclServices.join(', ')})`,
    (value: string, previous: Record<string, string>) => {
      const [service, principal] = value.split(/=(.*)/s);
      if (!(aclServices as readonly string[]).includes(service!) || !principal?.startsWith('User:')) throw new InvalidArgumentError(`expected <service>=User:<name> with a service of ${aclServices.join(', ')}`);
      return { ...previous, [service!]: principal };
    }, {})
  .action(async (options: { principal: Partial<Record<AclService, string>> }) => {
    for (const g of await applyKafkaAcls(config, { principals: options.principal, logger })) {
      console.log(`${g.principal} (${g.service}): read ${g.read.join(', ')}; write ${g.write.join(', ')}; groups ${g.groupPrefixes.map((p) => `${p}*`).join(', ')}`);
    }
  });

program
  .command('schemas')
  .description('event schemas in the registry')
  .command('register')
  .description('register every event schema (BACKWARD compatibility)')
  .action(async () => {
    await registerSchemas(config);
    console.log('schemas: registered');
  });

program
  .command('migrate')
  .description('apply pending database migrations (what the migration job of a deployment runs)')
  .action(async () => {
    const applied = await migrateDatabase(config);
    console.log(applied.length > 0 ? `migrations: applied ${applied.join(', ')}` : 'migrations: up to date');
  });

const asOption = <T>(parse: (value: string) => T) => (value: string): T => {
  try {
    return parse(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

const keys = program.command('keys').description('API keys: scoped, expiring, revocable');
keys
  .command('create')
  .description('create an API key for a tenant; the key is the last line printed')
  .requiredOption('--tenant <name>', 'tenant the key belongs to')
  .option('--name <label>', 'a label to recognise the key by')
  .option('--scopes <list>', 'comma-separated: ingest, query, pii:read, admin', asOption(parseScopes), parseScopes('ingest,query'))
  .option('--expires-in <duration>', 'lifetime such as 90s, 12h or 30d (default: no expiry)', asOption(parseDuration))
  .action(async (options: { tenant: string; name?: string; scopes: ReturnType<typeof parseScopes>; expiresIn?: number }) => {
    const { id, key } = await createKey(config, { tenant: options.tenant, name: options.name, scopes: options.scopes, expiresInMs: options.expiresIn });
    const expiry = options.expiresIn ? `, expires ${new Date(Date.now() + options.expiresIn).toISOString()}` : '';
    console.log(`created API key ${id} for tenant ${options.tenant} with scopes ${options.scopes.join(',')}${expiry} (shown once):`);
    console.log(key);
  });
keys
  .command('list')
  .description('a tenant\'s keys: id, scopes, expiry, last use (never the secret)')
  .option('--tenant <name>', 'only this tenant\'s keys')
  .option('--json', 'print a JSON array')
  .action(async (options: { tenant?: string; json?: boolean }) => {
    const list = await listKeys(config, options.tenant);
    if (options.json) {
      console.log(JSON.stringify(list, null, 2));
      return;
    }
    for (const k of list) {
      const state = k.revoked ? `revoked ${k.revokedAt}` : k.expired ? `expired ${k.expiresAt}` : k.expiresAt ? `expires ${k.expiresAt}` : 'no expiry';
      console.log(`${k.id}  ${k.tenant}  ${k.scopes.join(',')}  ${state}  last used ${k.lastUsedAt ?? 'never'}${k.name ? `  ${k.name}` : ''}`);
    }
  });
keys
  .command('revoke')
  .description('revoke a key by id; every gateway answers 401 for it within a second')
  .argument('<key-id>', 'the id keys list shows (key_...)')
  .action(async (keyId: string) => {
    if (!(await revokeKey(config, keyId))) {
      console.error(`keys: no active key ${keyId}`);
      process.exitCode = 1;
      return;
    }
    console.log(`keys: revoked ${keyId}`);
  });

const tenants = program.command('tenants').description('per-tenant settings');
tenants
  .command('set-limits')
  .description('set a tenant\'s rate limits (every gateway applies them within 5 s; without limits a tenant gets the gateway defaults)')
  .argument('<tenant>', 'tenant id')
  .requiredOption('--queries-per-minute <n>', 'queries per minute', positiveInt)
  .requiredOption('--documents-per-minute <n>', 'documents per minute (a batch of N counts N)', positiveInt)
  .option('--burst <n>', 'requests (documents) allowed at once; default a minute\'s worth', positiveInt)
  .action(async (tenant: string, options: { queriesPerMinute: number; documentsPerMinute: number; burst?: number }) => {
    await setTenantLimits(config, tenant, { queriesPerMinute: options.queriesPerMinute, documentsPerMinute: options.documentsPerMinute, burst: options.burst ?? null });
    console.log(`tenants: ${tenant} limited to ${options.queriesPerMinute} queries and ${options.documentsPerMinute} documents per minute${options.burst ? `, burst ${options.burst}` : ''}`);
  });

tenants
  .command('set-policy')
  .description('set a tenant\'s data policy: PII redaction before chunking and embedding, with the tenant\'s own patterns')
  .argument('<tenant>', 'tenant id')
  .option('--pii-redaction <on|off>', 'replace e-mail addresses, phone, card, IBAN, IP and SSN values (and --pii-pattern matches) by tokens', (v: string) => {
    if (v !== 'on' && v !== 'off') throw new InvalidArgumentError('expected on or off');
    return v === 'on';
  })
  .option('--pii-pattern <name=regex>', 'a pattern of the tenant\'s own (repeatable; replaces the current list)', (v: string, previous: { name: string; pattern: string }[] = []) => {
    const at = v.indexOf('=');
    if (at < 1) throw new InvalidArgumentError('expected <name>=<regex>, e.g. employee_id=EMP-\\d{6}');
    return [...previous, { name: v.slice(0, at), pattern: v.slice(at + 1) }];
  })
  .option('--no-pii-patterns', 'remove the tenant\'s own patterns')
  .action(async (tenant: string, options: { piiRedaction?: boolean; piiPattern?: { name: string; pattern: string }[]; piiPatterns?: boolean }) => {
    const piiPatterns = options.piiPatterns === false ? [] : options.piiPattern;
    if (options.piiRedaction === undefined && piiPatterns === undefined) throw new InvalidArgumentError('name --pii-redaction on|off, --pii-pattern or --no-pii-patterns');
    const { policy, reindex, reindexProblem } = await setTenantPolicy(config, tenant, { piiRedaction: options.piiRedaction, piiPatterns });
    console.log(`tenants: ${tenant} PII redaction ${policy.piiRedaction ? 'on' : 'off'}${policy.piiPatterns.length ? `, patterns ${policy.piiPatterns.map((p) => p.name).join(', ')}` : ''} (workers apply it within 5 s)`);
    if (reindex !== null) {
      console.log(`tenants: ${tenant} already has documents indexed before the change: re-index generation ${reindex} is building them again with the policy.`);
      console.log(`  then: pnpm ragmesh reindex status --tenant ${tenant}; pnpm ragmesh reindex cutover --tenant ${tenant}; pnpm ragmesh reindex retire <old generation> --tenant ${tenant}`);
    }
    if (reindexProblem) {
      console.error(`tenants: documents indexed before the change keep their raw text until re-indexed, and the re-index could not start: ${reindexProblem}`);
      process.exitCode = 1;
    }
  });

tenants
  .command('purge')
  .description('erase a tenant: keys, Postgres rows (chunks, documents, PII map, limits, policy), Redis entries, and its records of documents.ingest through tombstones (gone within 7 days)')
  .argument('<tenant>', 'tenant id')
  .requiredOption('--yes', 'confirm: this cannot be undone')
  .action(async (tenant: string) => {
    const report = await purgeTenant(config, tenant, { logger });
    const rows = Object.entries(report.rows).filter(([, n]) => n > 0).map(([t, n]) => `${t} ${n}`).join(', ') || 'none';
    console.log(`tenants: purged ${tenant}: ${report.tombstones} documents.ingest tombstones, rows deleted: ${rows}, Redis keys ${report.redisKeys}`);
  });

program
  .command('audit')
  .description('the audit log: key, limit and policy changes')
  .command('list')
  .description('newest first')
  .option('--tenant <t>', 'only this tenant')
  .option('--limit <n>', 'at most this many entries', positiveInt, 100)
  .option('--json', 'print JSON')
  .action(async (options: { tenant?: string; limit: number; json?: boolean }) => {
    const entries = await readAudit(config, options);
    if (options.json) console.log(JSON.stringify(entries, null, 2));
    else for (const e of entries) console.log(`${e.at}  ${e.actor}  ${e.tenant ?? '-'}  ${e.action}  ${JSON.stringify(e.details)}`);
  });

program
  .command('ingest')
  .description('send files and folders (.md, .html, .txt) to the gateway')
  .argument('<paths...>', 'files or folders')
  .option('--key <apiKey>', 'API key (default: RAGMESH_API_KEY)')
  .option('--gateway <url>', 'gateway URL (default: RAGMESH_GATEWAY_URL)')
  .option('--batch <n>', 'documents per request', positiveInt, 100)
  .option('--chunking <policy>', 'default, faq or procedural', 'default')
  .action(async (paths: string[], options: { key?: string; gateway?: string; batch: number; chunking: string }) => {
    const apiKey = options.key ?? config.RAGMESH_API_KEY;
    if (!apiKey) throw new Error('an API key is required: --key or RAGMESH_API_KEY');
    const result = await ingestPaths({ paths, apiKey, gatewayUrl: options.gateway ?? config.RAGMESH_GATEWAY_URL, batchSize: options.batch, chunking: options.chunking, progress: process.stderr.isTTY });
    console.log(`ingest: ${result.accepted} documents accepted from ${result.files} files`);
  });

const dlq = program.command('dlq').description('inspect and replay dead-lettered messages');
dlq
  .command('list')
  .description('show what is in <topic>.dlq and why')
  .argument('<topic>', 'source topic, e.g. documents.ingest')
  .option('--limit <n>', 'at most this many records', positiveInt, 100)
  .action(async (topic: string, options: { limit: number }) => {
    const entries = await readDlq(config, { topic, limit: options.limit, logger });
    for (const e of entries) {
      const h = e.headers;
      console.log(`${h[dlqHeaders.sourceTopic]}[${h[dlqHeaders.sourcePartition]}]@${h[dlqHeaders.sourceOffset]} key=${e.key} ${h[dlqHeaders.errorCode]}: ${h[dlqHeaders.errorMessage]} (attempts ${h[dlqHeaders.attempts]}, ${h[dlqHeaders.failedAt]})`);
    }
    console.log(`dlq: ${entries.length} records in ${topic}.dlq`);
  });
dlq
  .command('replay')
  .description('publish dead-lettered records back to their source topic, unchanged')
  .argument('<topic>', 'source topic, e.g. documents.ingest')
  .option('--limit <n>', 'at most this many records', positiveInt, 1000)
  .option('--code <code>', 'only records that failed with this error code')
  .action(async (topic: string, options: { limit: number; code?: string }) => {
    const replayed = await replayDlq(config, { topic, limit: options.limit, logger, filter: options.code ? (e) => e.headers[dlqHeaders.errorCode] === options.code : undefined });
    console.log(`dlq: replayed ${replayed} records to ${topic}`);
  });

registerReindexCommands(program, { config, logger, positiveInt });

program.parseAsync().catch((error: unknown) => {
  console.error(`ragmesh: ${error instanceof Error ? error.message : String(error)}`);
  if (error instanceof Error && error.cause) console.error(`  cause: ${String(error.cause)}`);
  process.exit(1);
});
