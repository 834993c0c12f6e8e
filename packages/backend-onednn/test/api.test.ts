/** Public API, option validation, the unavailable path and the install script's failure handling. */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

import * as tf from '@tensorflow/tfjs';

import {
  DEFAULT_PRIORITY,
  ONEDNN_BACKEND_NAME,
  fusedGradientKernels,
  isAvailable,
  onednnVersion,
  overriddenKernels,
  registerOneDnnBackend,
  threadCount,
  unavailableReason,
} from '../src/index';
import { nativeAddon } from '../src/native';
import { describeNative } from './helpers';

const packageDir = path.resolve(__dirname, '..');
const tsx = require.resolve('tsx/cli');

describe('overridden kernels', () => {
  test('cover every kernel the issue lists', () => {
    const required = [
      'Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter',
      'DepthwiseConv2dNative', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter',
      'MaxPool', 'MaxPoolGrad', 'AvgPool', 'AvgPoolGrad', 'BatchMatMul', '_FusedMatMul', 'FusedBatchNorm',
      'Add', 'Sub', 'Multiply', 'RealDiv', 'Relu', 'Step', 'Sum', 'Mean', 'Max', 'Exp', 'Log', 'Softmax',
      'Transpose', 'PadV2', 'MirrorPad', 'Slice', 'Concat',
    ];
    expect(required.filter((k) => !overriddenKernels.includes(k))).toEqual([]);
    expect(new Set(overriddenKernels).size).toBe(overriddenKernels.length);
    expect([...fusedGradientKernels]).toEqual(['Mean', 'Sum', 'FusedBatchNorm', 'Square', 'Sub', 'Relu']);
  });
});

describe('registerOneDnnBackend options are validated', () => {
  const allowed = 'priority, threads, exclude, poolBytes, poolMaxBufferBytes, poolIdleMs, fuseGradients';
  test.each([
    [null, 'registerOneDnnBackend: options must be an options object, got null.'],
    [{ priority: 'high' }, 'registerOneDnnBackend: options.priority must be a finite number, got "high".'],
    [{ threads: 0 }, 'registerOneDnnBackend: options.threads must be an integer >= 1 <= 4096, got 0.'],
    [{ threads: 1.5 }, 'registerOneDnnBackend: options.threads must be an integer >= 1 <= 4096, got 1.5.'],
    [{ exclude: ['Conv2D', 'Nope'] }, `registerOneDnnBackend: options.exclude must be an array of overridden kernel names (${overriddenKernels.join(', ')}), got ["Nope"].`],
    [{ poolBytes: -1 }, 'registerOneDnnBackend: options.poolBytes must be an integer >= 0, got -1.'],
    [{ poolMaxBufferBytes: 0.5 }, 'registerOneDnnBackend: options.poolMaxBufferBytes must be an integer >= 0, got 0.5.'],
    [{ poolIdleMs: 0 }, 'registerOneDnnBackend: options.poolIdleMs must be an integer >= 1, got 0.'],
    [{ fuseGradients: 'yes' }, 'registerOneDnnBackend: options.fuseGradients must be true or false, got "yes".'],
    [{ thread: 2 }, `registerOneDnnBackend: each option name in options must be one of ${allowed}, got "thread".`],
  ])('%j is rejected', (options, message) => {
    expect(() => registerOneDnnBackend(options as never)).toThrow(new Error(message));
  });
});

describeNative('when the addon is available', () => {
  test('the backend is registered under "onednn" above cpu and below tfjs-node', () => {
    expect(isAvailable()).toBe(true);
    expect(unavailableReason()).toBeNull();
    expect(registerOneDnnBackend()).toBe(true); // idempotent
    expect(tf.findBackendFactory(ONEDNN_BACKEND_NAME)).not.toBeNull();
    expect(DEFAULT_PRIORITY).toBeGreaterThan(1);
    expect(DEFAULT_PRIORITY).toBeLessThan(3);
    expect(threadCount()).toBeGreaterThanOrEqual(1);
    expect(onednnVersion()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('the portable build: the AVX2 + FMA addon serves on a CPU that has both, the baseline one elsewhere', () => {
    const addon = nativeAddon();
    const avx2Built = fs.existsSync(path.join(packageDir, 'build', 'Release', 'onednn_avx2.node'));
    const expected = process.env.AA_ONEDNN_ADDON ? addon.variant() : avx2Built && addon.cpuHasAvx2() ? 'avx2' : 'baseline';
    expect(addon.variant()).toBe(expected);
    // The baseline build itself uses no AVX2 (it runs on any x86-64).
    const baseline = createRequire(__filename)(path.join(packageDir, 'build', 'Release', 'onednn.node')) as { variant(): string };
    expect(process.env.AA_ONEDNN_NATIVE_ARCH === '1' || baseline.variant() === 'baseline').toBe(true);
  });

  test('threads can be changed after registration', () => {
    const before = threadCount();
    expect(registerOneDnnBackend({ threads: 1 })).toBe(true);
    expect(threadCount()).toBe(1);
    registerOneDnnBackend({ threads: before });
    expect(threadCount()).toBe(before);
  });

  test('tf.ready() picks onednn by priority in a fresh process, without a "Hi there" banner', () => {
    const res = spawnSync(process.execPath, [tsx, 'test/fixtures/probe.ts'], { cwd: packageDir, encoding: 'utf8' });
    expect(res.status).toBe(0);
    const probe = JSON.parse(res.stdout.trim().split('\n').pop() as string);
    expect(probe).toEqual({
      available: true,
      reason: null,
      registered: true,
      backend: 'onednn',
      sum: 6,
      conv: [4, 4, 4, 4],
      conv2dStats: { native: 1, fallback: 0, errors: 0 },
    });
    expect(res.stderr).not.toMatch(/Hi, looks like you are running TensorFlow.js in Node.js/);
  });

  test('excluded kernels keep the cpu implementation', () => {
    const res = spawnSync(process.execPath, [tsx, 'test/fixtures/probe.ts'], {
      cwd: packageDir,
      encoding: 'utf8',
      env: { ...process.env, PROBE_OPTIONS: JSON.stringify({ exclude: ['Conv2D'], threads: 1 }) },
    });
    expect(res.status).toBe(0);
    const probe = JSON.parse(res.stdout.trim().split('\n').pop() as string);
    expect(probe).toMatchObject({ backend: 'onednn', conv: [4, 4, 4, 4], conv2dStats: null });
  });
});

/** Runs test/fixtures/import-probe.ts in a fresh process. */
function importProbe(env: Record<string, string>): Record<string, unknown> {
  const res = spawnSync(process.execPath, [tsx, 'test/fixtures/import-probe.ts'], { cwd: packageDir, encoding: 'utf8', env: { ...process.env, ...env } });
  expect({ status: res.status, stderr: res.status === 0 ? '' : res.stderr }).toEqual({ status: 0, stderr: '' });
  return JSON.parse(res.stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
}

describeNative('importing the package registers the backend', () => {
  test('tf.ready() then picks onednn (priority 2), with no warning', () => {
    expect(importProbe({})).toMatchObject({ registered: true, chosen: 'onednn', warningsAtReady: 0, set: true, backendAfter: 'onednn', sum: 6, warnings: [] });
  });

  test('a priority below cpu set after the import makes tf.ready() keep cpu', () => {
    expect(importProbe({ PROBE_PRIORITY: '0' })).toMatchObject({ registered: true, chosen: 'cpu', set: true, backendAfter: 'onednn', sum: 6 });
  });
});

describe('when the addon is unavailable', () => {
  test('the import works, tf.ready() stays on cpu silently, tf.setBackend("onednn") fails saying why and how to fix it', () => {
    const probe = importProbe({ AA_ONEDNN_DISABLE: '1' });
    expect(probe).toMatchObject({ registered: true, chosen: 'cpu', warningsAtReady: 0, set: false, sum: 6 });
    const text = (probe.warnings as string[]).join('\n');
    expect(text).toContain('Initialization of backend onednn failed');
    expect(text).toContain(
      "@aa/backend-onednn: the 'onednn' backend is unavailable: disabled by the AA_ONEDNN_DISABLE environment variable. To fix: unset AA_ONEDNN_DISABLE. Until then tfjs uses its 'cpu' backend.",
    );
  });

  test('an addon that was never built names the skipped install script and how to allow it', () => {
    const probe = importProbe({ AA_ONEDNN_ADDON: path.join(os.tmpdir(), 'no-such-dir', 'onednn.node') });
    const text = (probe.warnings as string[]).join('\n');
    expect(probe).toMatchObject({ set: false, backendAfter: 'cpu' });
    expect(text).toMatch(/unavailable: native addon (not built|failed to load)/);
    expect(text).toMatch(/To fix: .*(npm rebuild @aa\/backend-onednn|pnpm approve-builds)/);
  });
});

describe('when the addon is unavailable (registration)', () => {
  test('isAvailable() is false with the reason, registration declines, tfjs runs on cpu', () => {
    const out = execFileSync(process.execPath, [tsx, 'test/fixtures/probe.ts'], {
      cwd: packageDir,
      encoding: 'utf8',
      env: { ...process.env, AA_ONEDNN_DISABLE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const probe = JSON.parse(out.trim().split('\n').pop() as string);
    expect(probe).toEqual({
      available: false,
      reason: 'disabled by the AA_ONEDNN_DISABLE environment variable',
      registered: false,
      backend: 'cpu',
      sum: 6,
      conv: [4, 4, 4, 4],
      conv2dStats: null,
    });
  });
});

describe('the install script never fails the installation', () => {
  let dir: string;
  beforeAll(() => {
    // A copy of the package's build inputs, so the real build/ is left alone.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aa-onednn-build-'));
    for (const entry of ['binding.gyp', 'native', 'scripts']) fs.cpSync(path.join(packageDir, entry), path.join(dir, entry), { recursive: true });
    fs.symlinkSync(path.join(packageDir, 'node_modules'), path.join(dir, 'node_modules'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const run = (env: Record<string, string>) => {
    const stdout = execFileSync(process.execPath, ['scripts/build-native.js'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
    const status = JSON.parse(fs.readFileSync(path.join(dir, 'build', 'status.json'), 'utf8'));
    return { stdout, status };
  };

  test('a failing compiler: exit code 0, the reason in build/status.json and one printed line', () => {
    const { stdout, status } = run({ CXX: path.join(dir, 'no-such-compiler'), CC: path.join(dir, 'no-such-compiler') });
    expect(status.ok).toBe(false);
    expect(status.reason).toMatch(/^compilation failed/);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(stdout).toMatch(/native oneDNN addon NOT built \(compilation failed.*tfjs uses 'cpu'/);
    expect(fs.existsSync(path.join(dir, 'build', 'build.log'))).toBe(true);
  }, 120000);

  test('a skipped build is reported the same way', () => {
    const { status } = run({ AA_ONEDNN_SKIP_BUILD: '1' });
    expect(status).toMatchObject({ ok: false, reason: 'build skipped: AA_ONEDNN_SKIP_BUILD is set' });
  });
});
