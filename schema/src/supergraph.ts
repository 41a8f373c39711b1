import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { printSchema, Supergraph } from '@apollo/federation-internals';
import {
  buildSchema,
  findBreakingChanges,
  findDangerousChanges,
  GraphQLError,
  parse,
  Source,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { SUBGRAPHS, type SubgraphEntry } from './subgraphs.js';
import { isAllowed, loadAllowedBreakingChanges, ALLOWED_BREAKING_CHANGES_FILE } from './allowed.js';

export const SUPERGRAPH_FILE = 'schema/supergraph.graphql';

export type ComposeFailure = 'COMPOSITION' | 'BREAKING' | 'DRIFT' | 'MISSING_SUPERGRAPH' | 'INVALID_ALLOWLIST';

export interface ComposeOptions {
  /** Repository root: reads subgraphs/<name>/schema.graphql, reads and writes schema/supergraph.graphql. */
  root: string;
  /** Verify only: never writes; fails on composition errors, drift and unallowed breaking changes. */
  check?: boolean;
  /** Accept every breaking change of the public API (the --allow-breaking flag). */
  allowBreaking?: boolean;
  /** Supergraph to judge breaking changes against (e.g. the main branch's), relative to root; default: the committed file. */
  baselinePath?: string;
  /** Defaults to the registry in subgraphs.ts. */
  subgraphs?: readonly Omit<SubgraphEntry, 'owners'>[];
}

export interface ApiChange {
  type: string;
  description: string;
}

export interface BreakingChange extends ApiChange {
  /** True when --allow-breaking was given or the change is listed in allowed-breaking-changes.json. */
  allowed: boolean;
}

export interface ComposeOutcome {
  ok: boolean;
  failure?: ComposeFailure;
  /** Human-readable summary, several lines; what the CLI prints last. */
  message: string;
  /** Subgraphs that took part, in registry order. */
  subgraphs: string[];
  hints: string[];
  /** Non-fatal notes: unregistered subgraph folders, stale allowlist entries, unreadable baseline. */
  warnings: string[];
  /** Parse and composition errors, each with its file/location where known. */
  errors: string[];
  breakingChanges: BreakingChange[];
  dangerousChanges: ApiChange[];
  /** The committed supergraph differs from what the subgraphs compose to now. */
  drift: boolean;
  written: boolean;
  supergraphPath: string;
  supergraphSdl?: string;
}

interface LoadedSubgraph {
  name: string;
  url: string;
  file: string;
  typeDefs: DocumentNode;
}

function normalize(sdl: string): string {
  return `${sdl.replace(/\r\n/g, '\n').trimEnd()}\n`;
}

function firstDifferentLine(a: string, b: string): number {
  const al = a.split('\n');
  const bl = b.split('\n');
  const n = Math.max(al.length, bl.length);
  for (let i = 0; i < n; i++) if (al[i] !== bl[i]) return i + 1;
  return n;
}

/**
 * API schema (what clients see: no join__/link__ machinery, no @inaccessible elements) of a supergraph.
 * Printed and rebuilt with our own graphql instance: federation-internals (CJS) and this module may
 * load different copies of graphql (CJS vs ESM build), whose schema objects must not be mixed.
 */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return buildSchema(printSchema(Supergraph.build(supergraphSdl).apiSchema()));
}

/** The registered subgraphs that have a schema.graphql, parsed; syntax errors are collected, not thrown. */
function loadSubgraphs(root: string, registry: readonly Omit<SubgraphEntry, 'owners'>[], errors: string[], warnings: string[]): LoadedSubgraph[] {
  const loaded: LoadedSubgraph[] = [];
  for (const entry of registry) {
    const rel = `subgraphs/${entry.name}/schema.graphql`;
    const file = path.join(root, rel);
    if (!existsSync(file)) continue;
    try {
      loaded.push({ name: entry.name, url: entry.url, file: rel, typeDefs: parse(new Source(readFileSync(file, 'utf8'), rel)) });
    } catch (err) {
      errors.push(err instanceof GraphQLError ? err.toString() : `${rel}: ${(err as Error).message}`);
    }
  }
  const registered = new Set(registry.map((s) => s.name));
  const dir = path.join(root, 'subgraphs');
  if (existsSync(dir)) {
    for (const name of readdirSync(dir)) {
      if (!registered.has(name) && existsSync(path.join(dir, name, 'schema.graphql'))) {
        warnings.push(`subgraphs/${name}/schema.graphql is not in schema/src/subgraphs.ts, so it is not composed`);
      }
    }
  }
  return loaded;
}

function describeChanges(changes: readonly BreakingChange[]): string {
  return changes.map((c) => `  - ${c.description}${c.allowed ? ' (allowed)' : ''}  [${c.type}]`).join('\n');
}

/**
 * Composes every registered subgraph that has a schema.graphql (offline, with @apollo/composition)
 * and compares the result with the committed schema/supergraph.graphql.
 *
 * Write mode updates the committed file unless the public API would break without permission.
 * Check mode (CI) never writes and fails on composition errors, drift, and unallowed breaking changes.
 */
export function composeSupergraph(opts: ComposeOptions): ComposeOutcome {
  const root = path.resolve(opts.root);
  const supergraphPath = path.join(root, SUPERGRAPH_FILE);
  const outcome: ComposeOutcome = {
    ok: false,
    message: '',
    subgraphs: [],
    hints: [],
    warnings: [],
    errors: [],
    breakingChanges: [],
    dangerousChanges: [],
    drift: false,
    written: false,
    supergraphPath,
  };
  const fail = (failure: ComposeFailure, message: string): ComposeOutcome => {
    outcome.ok = false;
    outcome.failure = failure;
    outcome.message = message;
    return outcome;
  };

  // 1. Compose.
  const subgraphs = loadSubgraphs(root, opts.subgraphs ?? SUBGRAPHS, outcome.errors, outcome.warnings);
  outcome.subgraphs = subgraphs.map((s) => s.name);
  if (outcome.errors.length > 0) {
    return fail('COMPOSITION', `Composition failed: a subgraph schema does not parse.\n${outcome.errors.join('\n\n')}`);
  }
  if (subgraphs.length === 0) {
    return fail('COMPOSITION', 'Composition failed: no subgraphs/<name>/schema.graphql found for any registered subgraph.');
  }
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: s.typeDefs })));
  if (result.errors) {
    outcome.errors = result.errors.map((e) => {
      const code = typeof e.extensions?.code === 'string' ? `[${e.extensions.code}] ` : '';
      return `${code}${e.toString()}`;
    });
    return fail(
      'COMPOSITION',
      `Composition of ${outcome.subgraphs.join(', ')} failed with ${result.errors.length} error(s):\n${outcome.errors.join('\n\n')}`,
    );
  }
  outcome.hints = result.hints.map((h) => h.toString());
  const candidate = normalize(result.supergraphSdl);
  outcome.supergraphSdl = candidate;

  // 2. Breaking changes of the public API against the baseline (by default the committed file).
  const committed = existsSync(supergraphPath) ? normalize(readFileSync(supergraphPath, 'utf8')) : null;
  outcome.drift = committed !== candidate;
  const baselineLabel = opts.baselinePath ?? SUPERGRAPH_FILE;
  let baseline: string | null = committed;
  if (opts.baselinePath) {
    const p = path.resolve(root, opts.baselinePath);
    if (!existsSync(p)) return fail('MISSING_SUPERGRAPH', `Baseline supergraph ${baselineLabel} does not exist.`);
    baseline = normalize(readFileSync(p, 'utf8'));
  }

  let allowlist;
  try {
    allowlist = loadAllowedBreakingChanges(root);
  } catch (err) {
    return fail('INVALID_ALLOWLIST', (err as Error).message);
  }

  let compared = false;
  if (baseline !== null && baseline !== candidate) {
    let oldApi: GraphQLSchema | null = null;
    try {
      oldApi = apiSchemaOf(baseline);
    } catch (err) {
      outcome.warnings.push(`${baselineLabel} is not a valid supergraph, so breaking changes cannot be judged: ${(err as Error).message}`);
    }
    if (oldApi) {
      const newApi = apiSchemaOf(candidate);
      outcome.breakingChanges = findBreakingChanges(oldApi, newApi).map((c) => ({
        type: c.type,
        description: c.description,
        allowed: opts.allowBreaking === true || isAllowed(allowlist, c.description),
      }));
      outcome.dangerousChanges = findDangerousChanges(oldApi, newApi).map((c) => ({ type: c.type, description: c.description }));
      compared = true;
    }
  }
  const used = new Set(outcome.breakingChanges.filter((c) => isAllowed(allowlist, c.description)).map((c) => c.description.trim()));
  for (const entry of allowlist) {
    if (compared && !used.has(entry.description.trim())) {
      outcome.warnings.push(`${ALLOWED_BREAKING_CHANGES_FILE}: entry "${entry.description}" matches no current change`);
    }
  }
  const unallowed = outcome.breakingChanges.filter((c) => !c.allowed);
  if (unallowed.length > 0) {
    return fail(
      'BREAKING',
      [
        `The public API would break against ${baselineLabel} (${unallowed.length} breaking change(s)):`,
        describeChanges(outcome.breakingChanges),
        `If this is intended, run with --allow-breaking or list the change descriptions in ${ALLOWED_BREAKING_CHANGES_FILE} (see schema/README.md).`,
        opts.check ? '' : `${SUPERGRAPH_FILE} was NOT updated.`,
      ]
        .filter(Boolean)
        .join('\n'),
    );
  }
  const breakingNote = outcome.breakingChanges.length > 0 ? `\nAllowed breaking changes:\n${describeChanges(outcome.breakingChanges)}` : '';

  // 3. Drift (check) or write.
  if (opts.check) {
    if (committed === null) {
      return fail('MISSING_SUPERGRAPH', `${SUPERGRAPH_FILE} does not exist: run npm run compose and commit it.`);
    }
    if (outcome.drift) {
      return fail(
        'DRIFT',
        `${SUPERGRAPH_FILE} is out of date with subgraphs/*/schema.graphql (first difference at line ${firstDifferentLine(committed, candidate)}): run npm run compose and commit the result.${breakingNote}`,
      );
    }
    outcome.ok = true;
    outcome.message = `${SUPERGRAPH_FILE} is up to date (${outcome.subgraphs.length} subgraphs: ${outcome.subgraphs.join(', ')}).${breakingNote}`;
    return outcome;
  }

  if (outcome.drift) {
    writeFileSync(supergraphPath, candidate);
    outcome.written = true;
  }
  outcome.ok = true;
  outcome.message = `${outcome.written ? 'Wrote' : 'Unchanged:'} ${SUPERGRAPH_FILE} (${outcome.subgraphs.length} subgraphs: ${outcome.subgraphs.join(', ')}).${breakingNote}`;
  return outcome;
}
