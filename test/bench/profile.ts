import fs from 'node:fs';
import path from 'node:path';

/*
 * Summarizes V8 CPU profiles (.cpuprofile, written by node --cpu-prof) by
 * where the time was spent: self time per package (a node_modules package,
 * Node's own internals, Baedal's code, garbage collection, idle) and the
 * busiest functions. `node test/dist/bench/profile.js <dir-or-files>`.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function packageOf(url: string, functionName: string): string {
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)') return 'V8 / native (program)';
  const match = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (match) return match[1];
  if (url.startsWith('node:')) return `node (${url.slice(5).split('/')[0]})`;
  if (url.includes('/dist/')) return `baedal ${url.split('/work/')[1]?.split('/dist/')[0] ?? url}`;
  return url ? 'other js' : 'native';
}

export function summarize(files: string[], top = 15): string {
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const file of files) {
    const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const node = nodes.get(id)!;
      const micros = profile.timeDeltas[i] ?? 0;
      const { functionName, url, lineNumber } = node.callFrame;
      const pkg = packageOf(url, functionName);
      if (pkg === 'idle') return;
      total += micros;
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
      const where = `${functionName || '(anonymous)'} ${url ? `${path.basename(url)}:${lineNumber + 1}` : ''} [${pkg}]`;
      byFunction.set(where, (byFunction.get(where) ?? 0) + micros);
    });
  }
  const share = (micros: number) => `${((100 * micros) / total).toFixed(1)}%`;
  const rank = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `busy CPU sampled: ${(total / 1e6).toFixed(1)} s in ${files.length} profile(s)`,
    'self time by package:',
    ...rank(byPackage).map(([name, micros]) => `  ${share(micros).padStart(6)}  ${name}`),
    'busiest functions (self time):',
    ...rank(byFunction).map(([name, micros]) => `  ${share(micros).padStart(6)}  ${name}`),
  ].join('\n');
}

if (require.main === module) {
  const targets = process.argv.slice(2);
  const files = targets.flatMap((target) =>
    fs.statSync(target).isDirectory()
      ? fs
          .readdirSync(target)
          .filter((f) => f.endsWith('.cpuprofile'))
          .map((f) => path.join(target, f))
      : [target],
  );
  console.log(summarize(files));
}
