import type { Logger } from '@ragmesh/telemetry';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import type { CliConfig } from '../config.js';
import { generationSpec, openReindex, type GenerationStatus } from './reindex.js';

type Reindex = Awaited<ReturnType<typeof openReindex>>;

function line(g: GenerationStatus): string {
  const eta = g.etaSeconds === null ? '?' : `${g.etaSeconds}s`;
  return `generation ${g.id}  ${g.state.padEnd(8)}  ${g.model} (${g.provider}, ${g.dims}${g.chunking ? `, chunking ${g.chunking}` : ''})  ` +
    `documents ${g.documentsDone}/${g.documentsTotal}  chunks ${g.chunks}  failed ${g.failed}  absent ${g.absent}  ` +
    `rate ${g.rate}/s  ETA ${eta}  lag ${g.lag}  caughtUp ${g.caughtUp ? 'yes' : 'no'}`;
}

/** `ragmesh reindex start|status|cutover|rollback|cancel|retire`: change the embedding model or chunking, blue/green. */
export function registerReindexCommands(program: Command, deps: { config: CliConfig; logger: Logger; positiveInt: (value: string) => number }) {
  const { config, logger, positiveInt } = deps;
  async function withReindex<T>(work: (reindex: Reindex) => Promise<T>): Promise<T> {
    const reindex = await openReindex(config, { logger });
    try {
      return await work(reindex);
    } finally {
      await reindex.close();
    }
  }

  const reindex = program.command('reindex').description('re-index into a new generation (model, chunking) beside the active one, then cut over');
  reindex
    .command('start')
    .description('create a building generation (for every tenant, or one) and print its id; workers replay documents.ingest into it')
    .requiredOption('--model <id>', 'embedding model id, e.g. bge-small-en-v1.5')
    .option('--provider <p>', 'local, openai or hash (inferred for local and hash-<dims> models)')
    .option('--dims <n>', 'vector dimensions (inferred for local and hash models)', positiveInt)
    .option('--chunking <policy>', 'one chunking policy for every document: default, faq or procedural')
    .option('--tenant <t>', 'only this tenant')
    .option('--max-docs-per-second <n>', 'throttle the replay', positiveInt)
    .action(async (options: { model: string; provider?: string; dims?: number; chunking?: string; tenant?: string; maxDocsPerSecond?: number }) => {
      const spec = generationSpec(options);
      const { generation, tenants } = await withReindex((r) => r.start({ spec, tenant: options.tenant, maxDocsPerSecond: options.maxDocsPerSecond }));
      console.log(`reindex: generation ${generation.id} (${spec.modelId}) building for ${tenants.length ? tenants.join(', ') : 'no tenant yet'}`);
      console.log(generation.id);
    });

  reindex
    .command('status')
    .description('per generation: state, model, documents done/total, chunks, failed, rate, ETA, consumer lag, caughtUp')
    .option('--tenant <t>', 'only this tenant')
    .option('--watch', 'refresh with a progress bar until every building generation has caught up')
    .option('--json', 'print one JSON object: { generations: [...] }')
    .action(async (options: { tenant?: string; watch?: boolean; json?: boolean }) => {
      await withReindex(async (r) => {
        if (!options.watch) {
          const generations = await r.status({ tenant: options.tenant });
          if (options.json) console.log(JSON.stringify({ generations }, null, 2));
          else {
            for (const g of generations) {
              console.log(line(g));
              for (const t of g.tenants) if (t.state === 'failed' && t.reason) console.log(`  ${t.tenant}: failed: ${t.reason}`);
              for (const t of g.tenants) if (t.absentIds.length > 0) console.log(`  ${t.tenant}: absent from the log: ${t.absentIds.join(', ')}${t.absent > t.absentIds.length ? ` (+${t.absent - t.absentIds.length} more)` : ''}`);
            }
          }
          return;
        }
        const bar = new SingleBar({ format: 'generation {id} [{bar}] {value}/{total} documents  lag {lag}  ETA {eta_s}s' }, Presets.shades_classic);
        let started = false;
        for (;;) {
          const building = (await r.status({ tenant: options.tenant })).filter((g) => g.state === 'building' || (g.state === 'mixed' && g.tenants.some((t) => t.state === 'building')));
          const g = building[0];
          if (!g) break;
          if (!started) bar.start(Math.max(1, g.documentsTotal), g.documentsDone, { id: g.id, lag: g.lag });
          started = true;
          bar.setTotal(Math.max(1, g.documentsTotal));
          bar.update(g.documentsDone, { id: g.id, lag: g.lag });
          if (g.caughtUp) break;
          await new Promise((resolve) => setTimeout(resolve, 2_000));
        }
        if (started) bar.stop();
        for (const g of await r.status({ tenant: options.tenant })) console.log(line(g));
      });
    });

  reindex
    .command('cutover')
    .description('make the caught-up building generation active (atomically per tenant); the active one becomes standby')
    .option('--tenant <t>', 'the tenant to switch')
    .option('--all', 'every tenant with a building generation')
    .option('--allow-absent', 'switch even if documents of the active generation are absent from the log')
    .action(async (options: { tenant?: string; all?: boolean; allowAbsent?: boolean }) => {
      if (!options.tenant === !options.all) throw new Error('give --tenant <t> or --all');
      await withReindex(async (r) => {
        const tenants = options.tenant ? [options.tenant] : (await r.generations.tenantStates()).filter((s) => s.state === 'building').map((s) => s.tenant);
        for (const tenant of tenants) {
          const result = await r.cutover(tenant, { allowAbsent: options.allowAbsent ?? false });
          console.log(`cutover ${tenant}: generation ${result.activated} active, ${result.standby ?? 'none'} standby${result.retired ? `, ${result.retired} retired` : ''}`);
        }
      });
    });

  reindex
    .command('rollback')
    .description('make the standby generation active again (the active one becomes standby)')
    .requiredOption('--tenant <t>', 'the tenant to switch back')
    .action(async (options: { tenant: string }) => {
      const result = await withReindex((r) => r.rollback(options.tenant));
      console.log(`rollback ${options.tenant}: generation ${result.activated} active, ${result.standby} standby`);
    });

  for (const verb of ['cancel', 'retire'] as const) {
    reindex
      .command(verb)
      .description(verb === 'cancel' ? 'stop a building generation and drop its rows and vector index' : 'drop a standby generation: its rows, vector index and consumer group')
      .argument('<id>', 'generation id', positiveInt)
      .option('--tenant <t>', `only this tenant's part of the generation`)
      .action(async (id: number, options: { tenant?: string }) => {
        const result = await withReindex((r) => r.end(id, verb, { tenant: options.tenant }));
        console.log(`${verb} generation ${id}: ${result.tenants.length ? result.tenants.join(', ') : 'no tenant'} ${verb === 'cancel' ? 'cancelled' : 'retired'}, rows dropped${result.groupDeleted ? ', consumer group deleted' : ''}`);
      });
  }
}
