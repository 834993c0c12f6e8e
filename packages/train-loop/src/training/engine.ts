import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../types';
import { fail, isNil } from '../validate';

/** Rejects with the signal's reason once it is aborted. */
export function abortIfAsked(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new Error('trainNetwork: aborted');
}

/** Lets timers and abort events run: the training loop is otherwise one long synchronous computation. */
function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

/** Yields to the event loop when more than 25 ms passed since `last`; returns the new reference time. */
export async function maybeYield(last: number): Promise<number> {
  if (performance.now() - last <= 25) return last;
  await nextMacrotask();
  return performance.now();
}

/** Every tensor inside a value: the tensor itself, or those in an object or array of any depth (numbers etc. skipped). */
export function tensorsIn(value: unknown): tf.Tensor[] {
  return tf.tensor_util.getTensorsInContainer(value as tf.TensorContainer);
}

/** Keeps every tensor inside `value` out of the enclosing tidy; returns `value`. */
export function keepAll<V>(value: V): V {
  for (const t of tensorsIn(value)) tf.keep(t);
  return value;
}

/**
 * tfjs frees the tensors its gradient tape keeps for the backward pass only when that pass runs, so a forward pass
 * that throws inside `computeGradients` would leave them allocated for good. This frees them. It reads tfjs engine
 * state (`state.activeTape`, kept until the next gradient computation) and does nothing if that is not there.
 */
export function freeAbandonedTape(): void {
  type TapeState = { gradientDepth?: unknown; activeTape?: Array<{ saved?: tf.Tensor[] }> | null };
  const state = (tf.engine() as unknown as { state?: TapeState }).state;
  if (isNil(state) || state.gradientDepth !== 0 || !Array.isArray(state.activeTape)) return;
  for (const node of state.activeTape) {
    if (Array.isArray(node.saved)) tf.dispose(node.saved);
    node.saved = [];
  }
}

/**
 * Throws unless `batch` is `{xs: Tensor [B, ...], ys}` with `ys` present and every tensor in it alive. What `ys` holds is
 * the loss's business; the loop only disposes it.
 */
export function assertBatch(fn: string, name: string, batch: unknown, epoch: number, index: number): asserts batch is Batch {
  const b = batch as Partial<Batch> | null;
  const where = `${name} (epoch ${epoch}, batch ${index})`;
  if (isNil(b) || typeof b !== 'object' || !(b.xs instanceof tf.Tensor) || isNil(b.ys)) {
    fail(fn, where, batch, 'a batch {xs: Tensor, ys: targets for the loss}');
  }
  if (tensorsIn(b).some((t) => t.isDisposed)) {
    throw new Error(
      `${fn}: ${where} holds a disposed tensor; the loop disposes every batch it receives, ` +
        'so a batch source must create fresh tensors on every iteration.',
    );
  }
  if (b.xs.rank < 1 || b.xs.shape[0] === 0) fail(fn, `${where}.xs`, b.xs, 'a tensor [B, ...] with B >= 1');
}

/** Sample-weighted sums of the scores, for their means over an epoch. */
export class ScoreSums {
  private readonly sums = new Map<string, number>();
  private samples = 0;

  constructor(private readonly names: readonly string[]) {
    for (const n of names) this.sums.set(n, 0);
  }

  /** Adds one batch's scores, weighted by its size. */
  add(scores: Record<string, number>, size: number): void {
    for (const n of this.names) this.sums.set(n, (this.sums.get(n) as number) + (scores[n] as number) * size);
    this.samples += size;
  }

  /** The means; `null` for every score when no batch was scored. */
  means(): Record<string, number | null> {
    const out: Record<string, number | null> = {};
    for (const n of this.names) out[n] = this.samples > 0 ? (this.sums.get(n) as number) / this.samples : null;
    return out;
  }
}
