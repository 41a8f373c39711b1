import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { APT_PACKAGES, endpoints, INFRA_DIR, paths } from '../config.js';
import { ensureJars, listJars } from '../jars.js';
import { MissingPackageError, type LaunchSpec, type Log, type ServiceDef } from '../service.js';
import { ensureDir, javaBin } from '../util.js';

const MARKER = '-Dshop.infra.service=mongo';
export const MONGO_LAUNCHER = join(INFRA_DIR, 'mongo', 'MongoWireServer.java');

/**
 * Where the H2 backend keeps its data; ":memory:" with SHOP_MONGO_BACKEND=memory
 * (or when the h2 backend jar is missing).
 */
export function mongoDataFile(): string {
  if (process.env.SHOP_MONGO_BACKEND === 'memory') return ':memory:';
  if (!listJars('mongo').some((j) => j.startsWith('mongo-java-server-h2-backend'))) return ':memory:';
  return join(paths().dataDir, 'mongo', 'mongo.mv.db');
}

async function prepare(log: Log): Promise<LaunchSpec> {
  const java = javaBin();
  if (!java) {
    throw new MissingPackageError('The MongoDB wire server needs Java 17+, and java is not installed.', [
      APT_PACKAGES.java ?? 'openjdk-17-jdk-headless',
    ]);
  }
  // Single-file source launch compiles the launcher in memory: needs the JDK's jdk.compiler module,
  // which a JRE-only install (openjdk-17-jre-headless) lacks.
  const modules = spawnSync(java, ['--list-modules'], { encoding: 'utf8', timeout: 30_000 });
  if (!modules.error && modules.status === 0 && !modules.stdout.includes('jdk.compiler')) {
    throw new MissingPackageError(
      `The MongoDB wire server is launched from source (${MONGO_LAUNCHER}), which needs a JDK; ${java} is a JRE without jdk.compiler.`,
      [APT_PACKAGES.java ?? 'openjdk-17-jdk-headless'],
    );
  }
  if (!existsSync(MONGO_LAUNCHER)) throw new Error(`missing ${MONGO_LAUNCHER}`);
  const classpath = await ensureJars('mongo', log);
  const { host, port } = endpoints().mongo;
  const dataFile = mongoDataFile();
  if (dataFile !== ':memory:') ensureDir(join(paths().dataDir, 'mongo'));
  return {
    command: java,
    args: [
      '-Xms64m',
      '-Xmx256m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-XX:+ExitOnOutOfMemoryError',
      MARKER,
      // one line per client connect/disconnect is noise; keep warnings and errors
      '-Dorg.slf4j.simpleLogger.log.de.bwaldvogel.mongo.wire=warn',
      '-Dorg.slf4j.simpleLogger.showDateTime=true',
      '-cp',
      classpath,
      MONGO_LAUNCHER,
      String(port),
      dataFile,
      host,
    ],
    cwd: paths().dataDir,
  };
}

/** The official driver connects (handshake + wire-version check) and `ping` answers ok. */
export async function mongoReady(): Promise<boolean> {
  const client = new MongoClient(endpoints().mongoUrl, {
    serverSelectionTimeoutMS: 2_000,
    connectTimeoutMS: 1_000,
  });
  try {
    await client.connect();
    const res = await client.db('admin').command({ ping: 1 });
    return res.ok === 1;
  } finally {
    await client.close().catch(() => undefined);
  }
}

export const mongoService: ServiceDef = {
  name: 'mongo',
  address: () => endpoints().mongo,
  marker: MARKER,
  timeoutMs: Number(process.env.SHOP_MONGO_START_TIMEOUT_MS) || 60_000,
  stopGraceMs: 15_000,
  prepare,
  ready: mongoReady,
};
