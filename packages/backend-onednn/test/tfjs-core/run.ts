/**
 * Runs tfjs-core's own test suite (see suite.ts) on the cpu backend and on onednn, prints both
 * counts, and fails when a spec fails on onednn that passes on cpu.
 *
 *   pnpm --filter @aa/backend-onednn test:tfjs-core [cpu] [onednn]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { build } from 'esbuild';

import type { SuiteResults } from './suite';

const packageDir = path.resolve(__dirname, '..', '..');
// One level below the package root, like dist/: the backend finds its addon relative to its own file.
const outDir = path.join(packageDir, 'build-test');
const bundle = path.join(outDir, 'tfjs-core-suite.js');
const coreVersion = (JSON.parse(fs.readFileSync(require.resolve('@tensorflow/tfjs-core/package.json'), 'utf8')) as { version: string }).version;

async function main(): Promise<void> {
  const backends = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['cpu', 'onednn'];
  await build({
    entryPoints: [path.join(__dirname, 'suite.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: bundle,
    // tfjs-core's tests import its ES modules (dist/index.js...); so must tfjs-backend-cpu and the
    // backend, or the bundle would hold a second tfjs-core (dist/tf-core.node.js, the "main" entry).
    mainFields: ['module', 'main'],
    external: ['jasmine'],
    // tfjs-core's package.json lists its side-effect files; the test files are not among them, and
    // would be dropped as unused bare imports.
    ignoreAnnotations: true,
    logLevel: 'error',
  });
  const runs: SuiteResults[] = [];
  for (const backend of backends) {
    const file = path.join(outDir, `tfjs-core-suite-${backend}.json`);
    fs.rmSync(file, { force: true });
    const t0 = performance.now();
    // Jasmine's dots and failure reports go to the terminal; the counts come from the results file.
    const res = spawnSync(process.execPath, [bundle, backend, file], { cwd: packageDir, stdio: ['ignore', 'inherit', 'inherit'] });
    if (!fs.existsSync(file)) throw new Error(`tfjs-core suite on ${backend} did not finish (exit ${res.status}, signal ${res.signal})`);
    const result = JSON.parse(fs.readFileSync(file, 'utf8')) as SuiteResults;
    runs.push(result);
    console.log(`tfjs-core ${coreVersion} suite on ${backend}: ${result.passed} passed, ${result.failed} failed (${result.pending} pending) in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  // Spec names carry the test environment's name: compare them with it blanked out.
  const key = (r: SuiteResults, name: string) => name.split(` ${r.backend} {`).join(' <backend> {');
  const cpu = runs.find((r) => r.backend === 'cpu');
  const onednn = runs.find((r) => r.backend === 'onednn');
  if (cpu !== undefined && onednn !== undefined) {
    const failsOnCpu = new Set(cpu.failures.map((f) => key(cpu, f.name)));
    const regressions = onednn.failures.filter((f) => !failsOnCpu.has(key(onednn, f.name)));
    for (const f of regressions) console.log(`  fails on onednn, passes on cpu: ${f.name}\n    ${f.message}`);
    if (regressions.length > 0) {
      console.log(`tfjs-core suite: ${regressions.length} spec(s) fail on onednn that pass on cpu`);
      process.exit(1);
    }
    const onOnednn = new Set(onednn.specs.map((n) => key(onednn, n)));
    const onlyCpu = cpu.specs.filter((n) => !onOnednn.has(key(cpu, n)));
    // Some tfjs-core specs are declared for named backends only (e.g. 'cpu'): they do not run on onednn.
    if (onlyCpu.length > 0) console.log(`tfjs-core suite: ${onlyCpu.length} spec(s) are declared for cpu only: ${onlyCpu.join('; ')}`);
    console.log('tfjs-core suite: no spec fails on onednn that passes on cpu');
  } else if (runs.some((r) => r.failed > 0)) {
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
