/**
 * Deferred tensor data: kernel outputs whose values are only computed if something reads them.
 *
 * Training a BatchNorm network on tfjs spends more time on `tf.moments`' full-size intermediates,
 * `x - mean` and its square, and on the full-size zeros of gradients that cancel, than on the
 * batch norm itself. Most of them are never read: the variance can be computed from `x` and `mean`
 * in one pass (see kernels/moments.ts), and a zero gradient only gets added to another one.
 *
 * A deferred output is an ordinary entry of the cpu backend's storage whose `values` property is a
 * getter: the first read (by any kernel, `dataSync`, a move to another backend) computes the values,
 * stores them as a plain property and lets go of the inputs it held. So a deferred tensor can never
 * be seen unfinished, whoever looks. Until then it holds a backend reference (`incRef`) on each input
 * whose data it needs, released when it is computed or disposed.
 */
import { engine } from '@tensorflow/tfjs-core';
import type { DataId, TensorInfo } from '@tensorflow/tfjs-core';

import type { CpuBackend } from './kernels/common';
import { alloc, isTypedArrayOf, sizeOf } from './kernels/common';
import { nativeAddon } from './native';
import { adopt } from './pool';

// The addon's conv2d kind for the gradient with respect to the input.
const CONV_BACKWARD_DATA = 1;

/** How a deferred output's values are computed. */
export type DeferredRecipe =
  | { kind: 'zeros' }
  /** `x - mean` (power 1) or `(x - mean)^2` (power 2), mean [channels] broadcast over x's rows. */
  | { kind: 'centered'; x: DataId; mean: DataId; channels: number; power: 1 | 2 }
  /**
   * A convolution's gradient with respect to its input (addon geometry `params`). tfjs's conv2d
   * gradients compute it eagerly even for a network's first layer, whose input is data: there
   * nothing reads it, and deferred it costs nothing.
   */
  | { kind: 'convInput'; dy: DataId; filter: DataId; dySize: number; filterSize: number; params: Int32Array };

interface Pending {
  recipe: DeferredRecipe;
  backend: CpuBackend;
  size: number;
}

const pending = new WeakMap<DataId, Pending>();
// Outputs known to hold only zeros (deferred or computed): adding them changes nothing.
const zeroData = new WeakSet<DataId>();

/** Counters for tests and profiles: deferred outputs made and those that had to be computed after all. */
export const deferredStats = { made: 0, computed: 0, byKind: {} as Partial<Record<DeferredRecipe['kind'], { made: number; computed: number }>> };

function countKind(kind: DeferredRecipe['kind']): { made: number; computed: number } {
  return (deferredStats.byKind[kind] ??= { made: 0, computed: 0 });
}

function inputsOf(recipe: DeferredRecipe): DataId[] {
  if (recipe.kind === 'centered') return [recipe.x, recipe.mean];
  if (recipe.kind === 'convInput') return [recipe.dy, recipe.filter];
  return [];
}

/** Float32 values of a stored input, checked against the length the recipe expects. */
function valuesOf(backend: CpuBackend, dataId: DataId, length: number, what: string): Float32Array {
  const values = backend.data.has(dataId) ? backend.data.get(dataId)?.values : undefined;
  if (!isTypedArrayOf(values, 'Float32Array') || (values as Float32Array).length !== length) {
    throw new Error(`@aa/backend-onednn: the ${what} of a deferred tensor is gone or changed`);
  }
  return values as Float32Array;
}

/** Lets go of the inputs a deferred output held, as the engine does when it disposes a tensor. */
function releaseInputs(p: Pending): void {
  for (const id of inputsOf(p.recipe)) {
    if (p.backend.disposeData(id)) engine().removeDataId(id, p.backend);
  }
}

function compute(p: Pending): Float32Array {
  const out = alloc(p.size);
  const r = p.recipe;
  if (r.kind === 'zeros') {
    out.fill(0);
  } else if (r.kind === 'convInput') {
    const dy = valuesOf(p.backend, r.dy, r.dySize, 'gradient');
    const filter = valuesOf(p.backend, r.filter, r.filterSize, 'filter');
    nativeAddon().conv2d(CONV_BACKWARD_DATA, dy, filter, null, out, r.params, 0, 0);
  } else {
    const x = valuesOf(p.backend, r.x, p.size, 'input');
    const mean = valuesOf(p.backend, r.mean, r.channels, 'mean');
    nativeAddon().centered(x, mean, r.channels, out, r.power);
  }
  return out;
}

/** Replaces the getter by plain values and ends the deferral. */
function settle(dataId: DataId, entry: object, values: unknown): void {
  Object.defineProperty(entry, 'values', { value: values, writable: true, enumerable: true, configurable: true });
  const p = pending.get(dataId);
  if (p === undefined) return;
  pending.delete(dataId);
  releaseInputs(p);
}

/** A float32 output of `shape` computed on first read; it holds its recipe's inputs until then. */
export function deferredOutput(backend: CpuBackend, shape: number[], recipe: DeferredRecipe): TensorInfo {
  const info = backend.makeTensorInfo(shape, 'float32');
  const entry = backend.data.get(info.dataId) as object;
  for (const id of inputsOf(recipe)) backend.incRef(id);
  const p: Pending = { recipe, backend, size: sizeOf(shape) };
  pending.set(info.dataId, p);
  if (recipe.kind === 'zeros') zeroData.add(info.dataId);
  deferredStats.made++;
  countKind(recipe.kind).made++;
  Object.defineProperty(entry, 'values', {
    enumerable: true,
    configurable: true,
    get() {
      const values = compute(p);
      deferredStats.computed++;
      countKind(recipe.kind).computed++;
      adopt(values, info.dataId);
      settle(info.dataId, entry, values);
      return values;
    },
    set(values: unknown) {
      settle(info.dataId, entry, values);
    },
  });
  return info;
}

/** Whether the data has not been computed yet (reading its `values` would compute it). */
export function isDeferred(dataId: DataId): boolean {
  return pending.has(dataId);
}

/** The recipe of data not computed yet. */
export function recipeOf(dataId: DataId): DeferredRecipe | undefined {
  return pending.get(dataId)?.recipe;
}

/** Whether the data is known to be all zeros (made by the zeros kernel). */
export function isZeroData(dataId: DataId): boolean {
  return zeroData.has(dataId);
}

/** Called when the backend deletes data: a deferred entry that was never read releases its inputs. */
export function forgetDeferred(dataId: DataId): void {
  const p = pending.get(dataId);
  if (p === undefined) return;
  pending.delete(dataId);
  releaseInputs(p);
}
