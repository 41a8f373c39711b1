import { watch, watchFile, unwatchFile, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Kind, parse, type ConstValueNode } from 'graphql';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '@shop/platform';

export interface SubgraphEndpoint {
  name: string;
  url: string;
}

function stringArg(args: readonly { name: { value: string }; value: ConstValueNode }[] | undefined, name: string): string | undefined {
  const value = args?.find((a) => a.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
}

/** The subgraphs named by a supergraph's `join__Graph` enum. Throws when the SDL does not parse or has none. */
export function subgraphsOf(supergraphSdl: string): SubgraphEndpoint[] {
  const doc = parse(supergraphSdl, { noLocation: true });
  const graphs = doc.definitions.find((d) => d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === 'join__Graph');
  if (graphs?.kind !== Kind.ENUM_TYPE_DEFINITION || !graphs.values?.length) {
    throw new Error('Not a supergraph: no join__Graph enum');
  }
  return graphs.values.map((v) => {
    const directive = v.directives?.find((d) => d.name.value === 'join__graph');
    const name = stringArg(directive?.arguments, 'name') ?? v.name.value.toLowerCase();
    return { name, url: stringArg(directive?.arguments, 'url') ?? '' };
  });
}

/** A URL override for this subgraph (by name, or by its SUBGRAPH_<NAME>_URL key), else the supergraph's URL. */
export function resolveSubgraphUrl(name: string, supergraphUrl: string | undefined, overrides: Record<string, string>): string {
  return overrides[name] ?? overrides[name.toLowerCase().replace(/[^a-z0-9]/g, '_')] ?? supergraphUrl ?? '';
}

export interface SupergraphFile {
  /** The gateway's `supergraphSdl` function: initial load, then `update()` on every good change. */
  hook: SupergraphSdlHook;
  /** The SDL the gateway currently serves (empty before load). */
  current(): string;
  /** Re-reads the file now (the watchers call this, debounced); resolves to what happened. */
  reload(): Promise<'updated' | 'unchanged' | 'rejected'>;
}

export interface SupergraphFileOptions {
  path: string;
  log: Logger;
  pollIntervalMs: number;
  debounceMs: number;
  /** Called after the gateway accepted a new supergraph. */
  onUpdate?: (sdl: string) => void;
}

/**
 * Serves the supergraph from a file and hot-swaps it when the file changes.
 *
 * The gateway's update() builds the new schema and query planner, then swaps them in: requests
 * already executing keep the plan and data sources they started with, so none is dropped. A file
 * that does not parse or compose is logged and the current schema kept. fs.watch on the directory
 * (survives editors' rename-on-save) plus fs.watchFile polling (works on mounts where watch
 * doesn't) trigger a debounced reload; an unchanged content is ignored.
 */
export function supergraphFile(opts: SupergraphFileOptions): SupergraphFile {
  const file = path.resolve(opts.path);
  let update: ((sdl: string) => void) | null = null;
  let current = '';
  let lastRejected: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  let dirWatcher: FSWatcher | undefined;
  let running: Promise<'updated' | 'unchanged' | 'rejected'> | null = null;
  let again = false;

  async function reloadOnce(): Promise<'updated' | 'unchanged' | 'rejected'> {
    if (!update) return 'unchanged';
    let sdl: string;
    try {
      sdl = await readFile(file, 'utf8');
    } catch (err) {
      opts.log.error({ err, file }, 'cannot read the supergraph file; keeping the current schema');
      return 'rejected';
    }
    if (sdl === current) return 'unchanged';
    if (sdl === lastRejected) return 'rejected';
    try {
      subgraphsOf(sdl);
      update(sdl);
    } catch (err) {
      lastRejected = sdl;
      opts.log.error({ file, reason: (err as Error).message }, 'supergraph change rejected; keeping the current schema');
      return 'rejected';
    }
    current = sdl;
    lastRejected = null;
    opts.log.info({ file, subgraphs: subgraphsOf(sdl).map((s) => s.name) }, 'supergraph reloaded');
    opts.onUpdate?.(sdl);
    return 'updated';
  }

  // One reload at a time; a change during a reload triggers one more afterwards.
  function reload(): Promise<'updated' | 'unchanged' | 'rejected'> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let result = await reloadOnce();
      while (again) {
        again = false;
        const next = await reloadOnce();
        if (next !== 'unchanged') result = next;
      }
      return result;
    })().finally(() => {
      running = null;
    });
    return running;
  }

  function schedule(): void {
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), opts.debounceMs);
    timer.unref();
  }

  function startWatching(): void {
    try {
      dirWatcher = watch(path.dirname(file), { persistent: false }, (_event, name) => {
        if (!name || name === path.basename(file)) schedule();
      });
      dirWatcher.on('error', (err) => opts.log.warn({ err }, 'supergraph directory watch failed; polling only'));
    } catch (err) {
      opts.log.warn({ err }, 'cannot watch the supergraph directory; polling only');
    }
    watchFile(file, { interval: opts.pollIntervalMs, persistent: false }, schedule);
  }

  function stopWatching(): void {
    clearTimeout(timer);
    dirWatcher?.close();
    unwatchFile(file, schedule);
  }

  const hook: SupergraphSdlHook = async ({ update: gatewayUpdate }) => {
    const sdl = await readFile(file, 'utf8');
    subgraphsOf(sdl); // fail start-up with a clear message rather than deep in the gateway
    current = sdl;
    update = gatewayUpdate;
    startWatching();
    opts.log.info({ file, subgraphs: subgraphsOf(sdl).map((s) => s.name) }, 'supergraph loaded');
    return {
      supergraphSdl: sdl,
      cleanup: async () => {
        update = null;
        stopWatching();
        await running;
      },
    };
  };

  return { hook, current: () => current, reload };
}
