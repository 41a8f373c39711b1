/**
 * npm run compose                      compose subgraphs/<name>/schema.graphql into schema/supergraph.graphql
 * npm run compose -- --check           CI: fail on composition errors, drift or unallowed breaking changes
 *   --allow-breaking                   accept breaking changes of the public API
 *   --against <file>                   judge breaking changes against this supergraph (default: the committed one)
 *   --root <dir>                       repository root (default: this checkout)
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { composeSupergraph } from './supergraph.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function main(): number {
  let args;
  try {
    args = parseArgs({
      options: {
        check: { type: 'boolean', default: false },
        'allow-breaking': { type: 'boolean', default: false },
        against: { type: 'string' },
        root: { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\nUsage: npm run compose [-- --check] [--allow-breaking] [--against <supergraph>]\n`);
    return 2;
  }
  const outcome = composeSupergraph({
    root: args.root ? path.resolve(args.root) : repoRoot,
    check: args.check,
    allowBreaking: args['allow-breaking'],
    baselinePath: args.against ? path.resolve(args.against) : undefined,
  });
  for (const hint of outcome.hints) process.stderr.write(`hint: ${hint}\n`);
  for (const warning of outcome.warnings) process.stderr.write(`warning: ${warning}\n`);
  for (const change of outcome.dangerousChanges) process.stderr.write(`dangerous change: ${change.description}\n`);
  if (!outcome.ok) {
    process.stderr.write(`\n✖ ${outcome.message}\n`);
    return 1;
  }
  process.stdout.write(`✔ ${outcome.message}\n`);
  return 0;
}

process.exitCode = main();
