/**
 * Loading the native addon (`build/Release/onednn.node`, built at install by `scripts/build-native.js`)
 * and reporting why it is missing when it is.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

/** The addon's functions; every one works in place on typed arrays allocated by JavaScript. */
export interface NativeAddon {
  /** The instruction set the build's own loops target: 'baseline', 'avx2' or 'avx512' (a -march=native build). */
  variant(): string;
  /** Whether this CPU runs the AVX2 + FMA build. */
  cpuHasAvx2(): boolean;
  setThreads(n: number): number;
  getThreads(): number;
  /** Element count from which the addon's own loops use every OpenMP thread. */
  parallelMinElements(): number;
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
  /** Returns the whole pages inside `a` to the operating system (its contents become zeros); the bytes released. */
  decommit(a: Float32Array): number;
  /** Sanitizer test builds only: an array between inaccessible pages (see native/memory.cc). */
  guardedFloat32Array?(n: number, alignEnd: boolean): Float32Array;
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
  /** out = x - mean (power 1) or (x - mean)^2 (power 2), mean [channels] broadcast over x's rows. */
  centered(x: Float32Array, mean: Float32Array, channels: number, out: Float32Array, power: 1 | 2): void;
  /** out [channels] = mean over x's rows of (x - mean)^2. */
  centeredVariance(x: Float32Array, mean: Float32Array, channels: number, out: Float32Array): void;
  /** Batch norm's training-mode gradient (the statistics' own gradients folded into dx). */
  batchNormTrainGrad(
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    scale: Float32Array | null,
    dy: Float32Array,
    epsilon: number,
    channels: number,
    dx: Float32Array,
    dScale: Float32Array,
    dOffset: Float32Array,
  ): void;
  /** dx = dy * step(x). */
  reluGrad(x: Float32Array, dy: Float32Array, dx: Float32Array): void;
}

/** What `scripts/build-native.js` wrote to `build/status.json`. */
interface BuildStatus {
  ok?: boolean;
  reason?: string;
}

/** The outcome of loading the addon: the addon, or why not and what to do about it. */
interface LoadState {
  addon: NativeAddon | null;
  reason: string | null;
  fix: string | null;
}

// src/ (tests, tsx) and dist/ (published) both sit one level below the package root.
const packageRoot = path.resolve(__dirname, '..');
const statusPath = path.join(packageRoot, 'build', 'status.json');
const logPath = path.join(packageRoot, 'build', 'build.log');
const REBUILD = '`npm rebuild @aa/backend-onednn` (pnpm: `pnpm rebuild @aa/backend-onednn`)';

/** The addon file: the install script's build, or another build (the sanitizer tests') named by AA_ONEDNN_ADDON. */
function addonPath(): string {
  return process.env.AA_ONEDNN_ADDON || path.join(packageRoot, 'build', 'Release', 'onednn.node');
}

/**
 * The AVX2 + FMA build of the package's own loops (built beside the baseline one on x86-64), when
 * this CPU runs it; otherwise null and the baseline build serves.
 */
function fasterBuild(baseline: NativeAddon, req: NodeRequire): NativeAddon | null {
  const file = path.join(packageRoot, 'build', 'Release', 'onednn_avx2.node');
  if (baseline.variant() !== 'baseline' || !baseline.cpuHasAvx2() || !fs.existsSync(file)) return null;
  try {
    return req(file) as NativeAddon;
  } catch {
    return null;
  }
}

let loaded: LoadState | null = null;

function readStatus(): BuildStatus | null {
  try {
    return JSON.parse(fs.readFileSync(statusPath, 'utf8')) as BuildStatus;
  } catch {
    return null;
  }
}

function load(): LoadState {
  if (process.env.AA_ONEDNN_DISABLE) {
    return { addon: null, reason: 'disabled by the AA_ONEDNN_DISABLE environment variable', fix: 'unset AA_ONEDNN_DISABLE' };
  }
  const file = addonPath();
  if (!fs.existsSync(file)) {
    const status = readStatus();
    if (status?.reason !== undefined) {
      return {
        addon: null,
        reason: `native addon not built: ${status.reason}`,
        fix: `install oneDNN and a C++ toolchain (Debian/Ubuntu: sudo apt-get install libdnnl-dev g++ make python3), then run ${REBUILD}; the build log is ${logPath}`,
      };
    }
    return {
      addon: null,
      reason: 'native addon not built: its install script did not run (pnpm 10 runs the install scripts of dependencies only when allowed; --ignore-scripts skips them)',
      fix: `allow the build (pnpm: \`pnpm approve-builds\`, or add "@aa/backend-onednn" to pnpm.onlyBuiltDependencies in package.json), then run ${REBUILD}`,
    };
  }
  // libgomp reads its settings once, when the addon pulls it in. Its default (spin 300,000 times
  // before sleeping) makes idle worker threads compete with the JavaScript thread between kernels
  // (on this project's 2-vCPU machine the two share one core); sleeping at once makes every parallel
  // region wait for a wake-up. A short spin measured best: on the chapter's ResNet step 428 ms against
  // 442-449 ms sleeping at once, 444 ms spinning 100,000 times. A policy the user chose is kept.
  if (process.env.OMP_WAIT_POLICY === undefined && process.env.GOMP_SPINCOUNT === undefined) {
    process.env.GOMP_SPINCOUNT = '10000';
  }
  try {
    const req = createRequire(__filename);
    const addon = req(file) as NativeAddon;
    return { addon: process.env.AA_ONEDNN_ADDON ? addon : (fasterBuild(addon, req) ?? addon), reason: null, fix: null };
  } catch (err) {
    // Typically libdnnl.so.2 missing at run time (uninstalled after the build).
    return {
      addon: null,
      reason: `native addon failed to load: ${(err as Error).message}`,
      fix: `reinstall the oneDNN library it was built against (Debian/Ubuntu: sudo apt-get install libdnnl-dev), or rebuild it with ${REBUILD}`,
    };
  }
}

function state(): LoadState {
  loaded ??= load();
  return loaded;
}

/** Whether the oneDNN addon is built and loads, so that the `'onednn'` backend can run. */
export function isAvailable(): boolean {
  return state().addon !== null;
}

/** Why the addon is unavailable (build failure, install script not run, missing library, disabled), or `null` when it is available. */
export function unavailableReason(): string | null {
  return state().reason;
}

/** What to do about it (install oneDNN, allow the build, rebuild...), or `null` when the addon is available. */
export function unavailableFix(): string | null {
  return state().fix;
}

/** The loaded addon; throws when it is unavailable (kernels only run after a successful registration). */
export function nativeAddon(): NativeAddon {
  const { addon, reason } = state();
  if (addon === null) throw new Error(`@aa/backend-onednn: ${reason ?? 'native addon unavailable'}`);
  return addon;
}
