import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Kind, parse, print, visit } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { composeSupergraph, SUBGRAPHS } from '../src/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temp copy of the repo's subgraph schemas and committed supergraph, safe to break. */
function tempRepo(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'shop-compose-'));
  temps.push(root);
  for (const name of readdirSync(path.join(repoRoot, 'subgraphs'))) {
    const src = path.join(repoRoot, 'subgraphs', name, 'schema.graphql');
    if (!existsSync(src)) continue;
    mkdirSync(path.join(root, 'subgraphs', name), { recursive: true });
    cpSync(src, path.join(root, 'subgraphs', name, 'schema.graphql'));
  }
  mkdirSync(path.join(root, 'schema'));
  cpSync(path.join(repoRoot, 'schema/supergraph.graphql'), path.join(root, 'schema/supergraph.graphql'));
  return root;
}

const usersSchema = (root: string) => path.join(root, 'subgraphs/users/schema.graphql');
const supergraph = (root: string) => readFileSync(path.join(root, 'schema/supergraph.graphql'), 'utf8');

function removeField(file: string, typeName: string, fieldName: string): void {
  const doc = parse(readFileSync(file, 'utf8'));
  let removed = false;
  const edited = visit(doc, {
    ObjectTypeDefinition(node) {
      if (node.name.value !== typeName) return undefined;
      const fields = node.fields?.filter((f) => f.name.value !== fieldName);
      removed = fields?.length !== node.fields?.length;
      return { ...node, fields };
    },
  });
  if (!removed) throw new Error(`${typeName}.${fieldName} not found in ${file}`);
  writeFileSync(file, print(edited));
}

function addField(file: string, typeName: string, sdl: string): void {
  const doc = parse(readFileSync(file, 'utf8'));
  const extra = parse(`type X { ${sdl} }`).definitions[0];
  if (extra?.kind !== Kind.OBJECT_TYPE_DEFINITION) throw new Error('bad field');
  let added = false;
  const edited = visit(doc, {
    ObjectTypeDefinition(node) {
      if (node.name.value !== typeName) return undefined;
      added = true;
      return { ...node, fields: [...(node.fields ?? []), ...(extra.fields ?? [])] };
    },
  });
  if (!added) throw new Error(`${typeName} not found in ${file}`);
  writeFileSync(file, print(edited));
}

describe('the subgraph registry', () => {
  it('lists all twelve subgraphs on ports 4001..4012', () => {
    expect(SUBGRAPHS.map((s) => s.name)).toEqual([
      'users', 'products', 'inventory', 'orders', 'payments', 'shipping',
      'promotions', 'tax', 'ratings', 'search', 'favourites', 'notifications',
    ]);
    SUBGRAPHS.forEach((s, i) => expect(s.url).toBe(`http://127.0.0.1:${4001 + i}/graphql`));
  });
});

describe('composeSupergraph', () => {
  it('composes the real subgraphs into exactly the committed schema/supergraph.graphql', () => {
    const outcome = composeSupergraph({ root: repoRoot, check: true });
    expect(outcome.errors).toEqual([]);
    expect(outcome.message).toContain('up to date');
    expect(outcome.ok).toBe(true);
    expect(outcome.drift).toBe(false);
    expect(outcome.subgraphs).toEqual(expect.arrayContaining(['users', 'products']));
    expect(outcome.supergraphSdl).toBe(readFileSync(path.join(repoRoot, 'schema/supergraph.graphql'), 'utf8'));
  });

  it('fails the check with the parse error and its file when a subgraph schema has a syntax error', () => {
    const root = tempRepo();
    writeFileSync(usersSchema(root), `${readFileSync(usersSchema(root), 'utf8')}\ntype Broken {\n  field: \n}\n`);
    const outcome = composeSupergraph({ root, check: true });
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toBe('COMPOSITION');
    expect(outcome.message).toContain('subgraphs/users/schema.graphql');
    expect(outcome.message).toContain('Syntax Error');
  });

  it('fails the check with the composition error when two subgraphs define the same non-shareable field', () => {
    const root = tempRepo();
    const before = supergraph(root);
    mkdirSync(path.join(root, 'subgraphs/inventory'), { recursive: true }); // replaces inventory's real schema in the copy
    writeFileSync(
      path.join(root, 'subgraphs/inventory/schema.graphql'),
      `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
       type User @key(fields: "id") { id: ID! email: String! }
       type Query { stockHealth: Int }`,
    );
    for (const check of [true, false]) {
      const outcome = composeSupergraph({ root, check });
      expect(outcome.ok).toBe(false);
      expect(outcome.failure).toBe('COMPOSITION');
      expect(outcome.message).toContain('INVALID_FIELD_SHARING');
      expect(outcome.message).toContain('User.email');
    }
    expect(supergraph(root)).toBe(before);
  });

  it('reports a removed field as breaking and refuses to overwrite the supergraph', () => {
    const root = tempRepo();
    const before = supergraph(root);
    removeField(usersSchema(root), 'User', 'createdAt');

    const check = composeSupergraph({ root, check: true });
    expect(check.ok).toBe(false);
    expect(check.failure).toBe('BREAKING');
    expect(check.breakingChanges).toEqual([{ type: 'FIELD_REMOVED', description: 'User.createdAt was removed.', allowed: false }]);
    expect(check.message).toContain('User.createdAt was removed.');

    const write = composeSupergraph({ root });
    expect(write.failure).toBe('BREAKING');
    expect(write.written).toBe(false);
    expect(supergraph(root)).toBe(before);
  });

  it('accepts a breaking change with allowBreaking, after which the check passes', () => {
    const root = tempRepo();
    removeField(usersSchema(root), 'User', 'createdAt');

    // Allowed, but the committed file is still stale: the check now fails on drift only.
    const allowedCheck = composeSupergraph({ root, check: true, allowBreaking: true });
    expect(allowedCheck.failure).toBe('DRIFT');
    expect(allowedCheck.breakingChanges[0]?.allowed).toBe(true);

    const write = composeSupergraph({ root, allowBreaking: true });
    expect(write.ok).toBe(true);
    expect(write.written).toBe(true);
    expect(supergraph(root)).not.toContain('createdAt: DateTime! @join__field(graph: USERS)');
    expect(composeSupergraph({ root, check: true }).ok).toBe(true);
  });

  it('accepts a breaking change listed in schema/allowed-breaking-changes.json, matched by its description', () => {
    const root = tempRepo();
    removeField(usersSchema(root), 'User', 'createdAt');
    const allowFile = path.join(root, 'schema/allowed-breaking-changes.json');
    writeFileSync(allowFile, JSON.stringify({ allowed: [{ description: 'User.name was removed.', reason: 'not this one' }] }));
    expect(composeSupergraph({ root }).failure).toBe('BREAKING');

    writeFileSync(allowFile, JSON.stringify({ allowed: [{ description: 'User.createdAt was removed.', reason: 'no client reads it' }] }));
    const write = composeSupergraph({ root });
    expect(write.ok).toBe(true);
    expect(write.written).toBe(true);
    expect(write.breakingChanges).toEqual([{ type: 'FIELD_REMOVED', description: 'User.createdAt was removed.', allowed: true }]);
  });

  it('rejects a malformed allowlist with a clear message', () => {
    const root = tempRepo();
    writeFileSync(path.join(root, 'schema/allowed-breaking-changes.json'), JSON.stringify({ allowed: [{ description: 'X.y was removed.' }] }));
    const outcome = composeSupergraph({ root, check: true });
    expect(outcome.failure).toBe('INVALID_ALLOWLIST');
    expect(outcome.message).toContain('allowed[0].reason');
  });

  it('detects drift: a subgraph changed but the supergraph was not recomposed', () => {
    const root = tempRepo();
    addField(usersSchema(root), 'User', '"A nickname." nickname: String');
    const check = composeSupergraph({ root, check: true });
    expect(check.ok).toBe(false);
    expect(check.failure).toBe('DRIFT');
    expect(check.breakingChanges).toEqual([]);
    expect(check.message).toContain('run npm run compose');

    const write = composeSupergraph({ root });
    expect(write.ok).toBe(true);
    expect(supergraph(root)).toContain('nickname: String');
    expect(composeSupergraph({ root, check: true }).ok).toBe(true);
  });

  it('fails the check when no supergraph has been committed yet', () => {
    const root = tempRepo();
    rmSync(path.join(root, 'schema/supergraph.graphql'));
    expect(composeSupergraph({ root, check: true }).failure).toBe('MISSING_SUPERGRAPH');
    expect(composeSupergraph({ root }).written).toBe(true);
  });

  it('judges breaking changes against another baseline with --against', () => {
    const root = tempRepo();
    cpSync(path.join(root, 'schema/supergraph.graphql'), path.join(root, 'base.graphql'));
    removeField(usersSchema(root), 'User', 'createdAt');
    expect(composeSupergraph({ root, allowBreaking: true }).written).toBe(true);
    // The committed file already has the change, but the main branch's supergraph has not.
    expect(composeSupergraph({ root, check: true }).ok).toBe(true);
    const against = composeSupergraph({ root, check: true, baselinePath: 'base.graphql' });
    expect(against.failure).toBe('BREAKING');
  });
});

describe('npm run compose (CLI)', () => {
  const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');
  const cli = path.join(repoRoot, 'schema/src/compose.ts');

  it('exits 0 on a clean check and 1 with a readable message on drift', async () => {
    const root = tempRepo();
    const ok = await run(tsx, [cli, '--check', '--root', root]);
    expect(ok.stdout).toContain('up to date');

    addField(usersSchema(root), 'User', 'nickname: String');
    const failed = await run(tsx, [cli, '--check', '--root', root]).then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('run npm run compose');
  });
});
