/**
 * Summarises a V8 .cpuprofile (node --cpu-prof; `npm run bench -- --cpu-prof` writes one per
 * gateway run): self time by function and by package.
 *
 *   npx tsx bench/src/profile-summary.ts bench/results/profiles-<ts>/ours-dedup-off-A.cpuprofile [--top 30]
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** node_modules/<pkg> (scoped too), node:<module>, our sources by top folder, or V8's own buckets. */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const m = /\/(router|packages\/[^/]+|bench)\//.exec(url);
  return m ? `(ours) ${m[1]}` : url;
}

export function summarise(profile: CpuProfile, top = 25): { totalMs: number; byFunction: Array<[string, number]>; byPackage: Array<[string, number]> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const cf = byId.get(id)!.callFrame;
    total += us;
    const file = cf.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '');
    const key = `${cf.functionName || '(anonymous)'} ${file ? `${file}:${cf.lineNumber + 1}` : ''}`.trim();
    fn.set(key, (fn.get(key) ?? 0) + us);
    const p = packageOf(cf.url, cf.functionName);
    pkg.set(p, (pkg.get(p) ?? 0) + us);
  }
  const sort = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => [k, v / 1000] as [string, number]);
  return { totalMs: total / 1000, byFunction: sort(fn), byPackage: sort(pkg) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: profile-summary <file.cpuprofile> [--top N]');
    process.exit(2);
  }
  const topIdx = process.argv.indexOf('--top');
  const top = topIdx > 0 ? Number(process.argv[topIdx + 1]) : 25;
  const s = summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top);
  const pct = (ms: number) => ((ms / s.totalMs) * 100).toFixed(1).padStart(5);
  console.log(`${file}: ${s.totalMs.toFixed(0)} ms sampled\n\nself time by package:`);
  for (const [k, ms] of s.byPackage) console.log(`${pct(ms)} %  ${ms.toFixed(0).padStart(7)} ms  ${k}`);
  console.log('\nself time by function:');
  for (const [k, ms] of s.byFunction) console.log(`${pct(ms)} %  ${ms.toFixed(0).padStart(7)} ms  ${k}`);
}
