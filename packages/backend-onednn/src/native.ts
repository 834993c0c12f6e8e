/**
 * Loading the native addon (`build/Release/onednn.node`, built at install by `scripts/build-native.js`)
 * and reporting why it is missing when it is.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

/** The addon's functions; every one works in place on typed arrays allocated by JavaScript. */
export interface NativeAddon {
  setThreads(n: number): number;
  getThreads(): number;
  onednnVersion(): string;
  conv2d(
    kind: number,
    in0: Float32Array,
    in1: Float32Array,
    bias: Float32Array | null,
    out: Float32Array,
    params: Int32Array,
    activation: number,
    alpha: number,
  ): string;
  clearConvCache(): number;
  matmul(
    a: Float32Array,
    b: Float32Array,
    bias: Float32Array | null,
    out: Float32Array,
    params: Int32Array,
    activation: number,
    alpha: number,
  ): void;
  maxPool(x: Float32Array, y: Float32Array, params: Int32Array): void;
  avgPool(x: Float32Array, y: Float32Array, params: Int32Array): void;
  maxPoolGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, params: Int32Array): void;
  avgPoolGrad(dy: Float32Array, dx: Float32Array, params: Int32Array): void;
  unary(op: number, x: Float32Array, y: Float32Array, alpha: number, beta: number): void;
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, shapes: Int32Array): void;
  addN(inputs: Float32Array[], out: Float32Array): void;
  softmax(x: Float32Array, y: Float32Array, rows: number, cols: number): void;
  reduce(op: number, x: Float32Array, out: Float32Array, shape: Int32Array, reduced: Int32Array): void;
  transpose(x: Float32Array, out: Float32Array, shape: Int32Array, perm: Int32Array): void;
  slice(x: Float32Array, out: Float32Array, shape: Int32Array, begin: Int32Array, size: Int32Array, step: Int32Array): void;
  concat(inputs: Float32Array[], out: Float32Array, outer: number, inners: Int32Array): void;
  tile(x: Float32Array, out: Float32Array, shape: Int32Array, reps: Int32Array): void;
  pad(
    x: Float32Array,
    out: Float32Array,
    shape: Int32Array,
    before: Int32Array,
    after: Int32Array,
    mode: number,
    value: number,
  ): void;
  batchNorm(
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    offset: Float32Array | null,
    scale: Float32Array | null,
    out: Float32Array,
    epsilon: number,
    length: number,
  ): void;
  batchNormGrad(
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    scale: Float32Array | null,
    dy: Float32Array,
    epsilon: number,
    channels: number,
    dx: Float32Array,
    dMean: Float32Array,
    dVariance: Float32Array,
    dScale: Float32Array,
    dOffset: Float32Array,
  ): void;
}

/** What `scripts/build-native.js` wrote to `build/status.json`. */
interface BuildStatus {
  ok?: boolean;
  reason?: string;
}

// src/ (tests, tsx) and dist/ (published) both sit one level below the package root.
const packageRoot = path.resolve(__dirname, '..');
const addonPath = path.join(packageRoot, 'build', 'Release', 'onednn.node');
const statusPath = path.join(packageRoot, 'build', 'status.json');

let loaded: { addon: NativeAddon | null; reason: string | null } | null = null;

function readStatus(): BuildStatus | null {
  try {
    return JSON.parse(fs.readFileSync(statusPath, 'utf8')) as BuildStatus;
  } catch {
    return null;
  }
}

function load(): { addon: NativeAddon | null; reason: string | null } {
  if (process.env.AA_ONEDNN_DISABLE) {
    return { addon: null, reason: 'disabled by the AA_ONEDNN_DISABLE environment variable' };
  }
  if (!fs.existsSync(addonPath)) {
    const status = readStatus();
    const why = status?.reason ?? 'the install script has not run (run `node scripts/build-native.js` in the package)';
    return { addon: null, reason: `native addon not built: ${why}` };
  }
  // libgomp reads its settings once, when the addon pulls it in. Its default (spin before sleeping)
  // makes idle worker threads compete with the JavaScript thread between kernels; on a shared or
  // busy machine that stalls every parallel region for a scheduler time slice. Sleep at once instead,
  // unless the user chose a policy.
  if (process.env.OMP_WAIT_POLICY === undefined && process.env.GOMP_SPINCOUNT === undefined) {
    process.env.OMP_WAIT_POLICY = 'passive';
  }
  try {
    const req = createRequire(__filename);
    return { addon: req(addonPath) as NativeAddon, reason: null };
  } catch (err) {
    // Typically libdnnl.so.2 missing at run time (uninstalled after the build).
    return { addon: null, reason: `native addon failed to load: ${(err as Error).message}` };
  }
}

function state(): { addon: NativeAddon | null; reason: string | null } {
  loaded ??= load();
  return loaded;
}

/** Whether the oneDNN addon is built and loads, so that `registerOneDnnBackend()` can register `'onednn'`. */
export function isAvailable(): boolean {
  return state().addon !== null;
}

/** Why the addon is unavailable (build failure, missing library, disabled), or `null` when it is available. */
export function unavailableReason(): string | null {
  return state().reason;
}

/** The loaded addon; throws when it is unavailable (kernels only run after a successful registration). */
export function nativeAddon(): NativeAddon {
  const { addon, reason } = state();
  if (addon === null) throw new Error(`@aa/backend-onednn: ${reason ?? 'native addon unavailable'}`);
  return addon;
}
