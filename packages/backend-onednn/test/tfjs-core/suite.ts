/**
 * tfjs-core's own backend-agnostic test suite (`@tensorflow/tfjs-core/dist/tests`), run on one
 * backend the way tfjs-backend-cpu's `run_tests.ts` runs it (jasmine 3.10, tfjs-core's
 * `jasmine_util` test environments and filters). `run.ts` bundles this file with esbuild so that the
 * tests, `jasmine_util`, tfjs-backend-cpu and this backend share one tfjs-core: a second copy would
 * have its own kernel registry and engine.
 *
 *   node build-test/tfjs-core-suite.js <cpu|onednn> <results.json>
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setTestEnvs, setupTestFilters } from '@tensorflow/tfjs-core/dist/jasmine_util';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';

import { isAvailable, registerOneDnnBackend, unavailableReason } from '../../src/index';

/** The parts of jasmine's result objects the summary uses. */
interface SpecResult {
  fullName: string;
  status: 'passed' | 'failed' | 'pending' | 'excluded';
  failedExpectations: Array<{ message: string }>;
}

/** What the run writes for run.ts: counts and the names (and first messages) of the failing specs. */
export interface SuiteResults {
  backend: string;
  passed: number;
  failed: number;
  pending: number;
  excluded: number;
  failures: Array<{ name: string; message: string }>;
  /** Every spec that ran, to compare the two runs. */
  specs: string[];
}

const [backend, resultsFile] = process.argv.slice(2);
if ((backend !== 'cpu' && backend !== 'onednn') || resultsFile === undefined) {
  throw new Error(`tfjs-core suite: usage: node tfjs-core-suite.js <cpu|onednn> <results.json>, got ${JSON.stringify(process.argv.slice(2))}.`);
}
registerOneDnnBackend();
if (backend === 'onednn' && !isAvailable()) throw new Error(`tfjs-core suite: the onednn addon is unavailable: ${unavailableReason()}`);

Error.stackTraceLimit = Infinity;
process.on('unhandledRejection', (e) => {
  throw e;
});

// jasmine stays outside the bundle: constructing the runner installs describe/it/expect as globals,
// which the test files need when they are loaded below.
const Jasmine = createRequire(__filename)('jasmine') as new () => {
  loadConfig(config: object): void;
  addReporter(reporter: object): void;
  execute(): Promise<void>;
  exitOnCompletion: boolean;
};
const runner = new Jasmine();
runner.loadConfig({ random: false });

setTestEnvs([{ name: backend, backendName: backend, isDataSync: true }]);
// As in run_tests.ts: every spec but the web-worker one.
setupTestFilters([], (name: string) => !name.includes('computation in worker'));

const results: SuiteResults = { backend, passed: 0, failed: 0, pending: 0, excluded: 0, failures: [], specs: [] };
runner.addReporter({
  specDone(spec: SpecResult) {
    results[spec.status]++;
    if (spec.status === 'passed' || spec.status === 'failed') results.specs.push(spec.fullName);
    if (spec.status === 'failed') results.failures.push({ name: spec.fullName, message: spec.failedExpectations[0]?.message ?? '' });
  },
  // An error in a suite's beforeAll/afterAll fails it without failing a spec: count it as a failure.
  suiteDone(suite: SpecResult) {
    if (suite.failedExpectations.length === 0) return;
    results.failed++;
    results.failures.push({ name: `suite ${suite.fullName}`, message: suite.failedExpectations[0]?.message ?? '' });
  },
  jasmineDone(run: { failedExpectations: Array<{ message: string }> }) {
    for (const f of run.failedExpectations) {
      results.failed++;
      results.failures.push({ name: 'top level', message: f.message });
    }
    fs.writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  },
});

// Loaded only now, after the globals exist (a static import would be hoisted above them).
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('@tensorflow/tfjs-core/dist/tests');
void runner.execute();
