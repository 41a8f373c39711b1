import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APT_PACKAGES, INFRA_DIR, paths } from './config.js';
import { ensureDir, runLogged, which, withLock } from './util.js';

export type JarSet = 'kafka' | 'mongo';

const POM = join(INFRA_DIR, 'pom.xml');
const MARKER = '.complete';

function pomHash(set: JarSet): string {
  return createHash('sha256').update(readFileSync(POM)).update(`\0${set}`).digest('hex');
}

export function jarDir(set: JarSet): string {
  return join(paths().jarsDir, set);
}

/** True when `<dataDir>/jars/<set>` holds the jars for the current pom.xml. */
export function jarsReady(set: JarSet): boolean {
  const dir = jarDir(set);
  try {
    return readFileSync(join(dir, MARKER), 'utf8').trim() === pomHash(set);
  } catch {
    return false;
  }
}

export function listJars(set: JarSet): string[] {
  const dir = jarDir(set);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.jar')) : [];
}

/**
 * Makes sure `<dataDir>/jars/<set>/` holds the runtime jars of one pom.xml profile, running
 * `mvn dependency:copy-dependencies` only when they are missing or pom.xml changed.
 * Returns a java classpath (`dir/*`).
 */
export async function ensureJars(set: JarSet, log: (s: string) => void): Promise<string> {
  const dir = jarDir(set);
  const classpath = join(dir, '*');
  if (jarsReady(set)) return classpath;
  return withLock(join(paths().runDir, `maven.lock`), 15 * 60_000, async () => {
    if (jarsReady(set)) return classpath; // fetched by someone else meanwhile
    const mvn = which('mvn');
    if (!mvn) {
      throw new Error(
        `Maven (mvn) is needed once to fetch the ${set} jars into ${dir} but is not installed.\n` +
          `  Install it with: apt-get install -y ${APT_PACKAGES.mvn} ${APT_PACKAGES.java}`,
      );
    }
    const logPath = join(paths().logDir, `maven-${set}.log`);
    rmSync(dir, { recursive: true, force: true });
    ensureDir(dir);
    log(`fetching ${set} jars with Maven (first run only; output in ${logPath}) ...`);
    const started = Date.now();
    const code = await runLogged(
      mvn,
      ['-B', '-q', '-f', POM, '-P', set, 'dependency:copy-dependencies', `-DoutputDirectory=${dir}`],
      { logPath },
    );
    if (code !== 0 || listJars(set).length === 0) {
      throw new Error(`Maven could not fetch the ${set} jars (exit code ${code}); see ${logPath}`);
    }
    writeFileSync(join(dir, MARKER), `${pomHash(set)}\n`);
    log(`fetched ${listJars(set).length} ${set} jars in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return classpath;
  });
}
