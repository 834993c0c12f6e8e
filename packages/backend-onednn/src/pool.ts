import * as os from 'node:os';

/**
 * Recycling of the float32 buffers the native kernels write. Training allocates the same tensor
 * sizes every step; fresh ArrayBuffers each time cost page faults and, worse, V8 full garbage
 * collections triggered by external-memory pressure (dozens per ResNet step). Buffers come back
 * here when the backend releases a tensor's data, and are handed out again for the same length.
 *
 * Safety rests on four rules enforced by the backend: a pooled buffer is never returned to user
 * code (`readSync`/`read` copy it), never shared by a second tensor (outputs of cpu kernels that
 * alias a pooled buffer, such as a contiguous `Slice` view, are copied), only recycled when tfjs
 * drops the last reference to its data, and only by the tensor data it was created for
 * (`adopt`/`release`): cpu kernels wrap an input's array in short-lived intermediates (the real part
 * of a complex cast, a view), whose disposal must not recycle the input's live buffer.
 */

/**
 * Default cap on the bytes kept in the free lists: a quarter of the machine's memory. The pool only
 * holds buffers the process already had live at once (a training step's peak, about 2 GiB for the
 * chapter's ResNet at batch 128), so the cap matters only when sizes keep changing.
 */
export const DEFAULT_POOL_BYTES = Math.floor(os.totalmem() / 4);

const free = new Map<number, Float32Array[]>();
const owned = new WeakSet<ArrayBufferLike>();
// The tensor data (tfjs DataId) each handed-out array was adopted by: the only one that may release it.
const owners = new WeakMap<Float32Array, object>();
// Arrays sitting in the free lists, so that a buffer is never listed twice.
const listed = new WeakSet<Float32Array>();
let freeBytes = 0;

/** Counters for diagnostics: buffers allocated because none of their length was free. */
export const poolStats = { misses: 0, missBytes: 0 };
let capBytes = DEFAULT_POOL_BYTES;

/** Sets the cap on pooled bytes (0 disables recycling) and trims the free lists to it. */
export function setPoolCap(bytes: number): void {
  capBytes = bytes;
  if (freeBytes > capBytes) clearPool();
}

/** Drops every free buffer (the garbage collector reclaims them); returns the bytes dropped. */
export function clearPool(): number {
  const dropped = freeBytes;
  for (const list of free.values()) for (const a of list) listed.delete(a);
  free.clear();
  freeBytes = 0;
  return dropped;
}

/** Bytes currently waiting in the free lists. */
export function pooledBytes(): number {
  return freeBytes;
}

/**
 * A float32 array of length `n` with unspecified contents, for an output the caller overwrites
 * entirely. Recycled when one of that length is free; otherwise new and uninitialised
 * (`Buffer.allocUnsafeSlow` gives each array its own ArrayBuffer and skips zero-filling).
 */
export function take(n: number): Float32Array {
  if (n === 0) return new Float32Array(0);
  const list = free.get(n);
  const reused = list?.pop();
  if (reused !== undefined) {
    listed.delete(reused);
    freeBytes -= n * 4;
    return reused;
  }
  poolStats.missBytes += n * 4;
  poolStats.misses++;
  const bytes = Buffer.allocUnsafeSlow(n * 4);
  const array = new Float32Array(bytes.buffer, bytes.byteOffset, n);
  owned.add(array.buffer);
  return array;
}

/** Whether `values` is (a view of) a buffer handed out by `take`. */
export function isPooled(values: unknown): values is Float32Array {
  return ArrayBuffer.isView(values) && owned.has(values.buffer);
}

/** Records that the tensor data `dataId` was created with `values` (an array from `take`) as its storage. */
export function adopt(values: Float32Array, dataId: object): void {
  if (isPooled(values)) owners.set(values, dataId);
}

/**
 * Called when tfjs deleted the data `dataId` whose storage was `values`: recycles the array only if
 * that data adopted it (not if `values` is borrowed, e.g. by an intermediate of a cpu kernel).
 */
export function release(values: unknown, dataId: object): void {
  if (!isPooled(values) || owners.get(values) !== dataId) return;
  owners.delete(values);
  give(values);
}

/** Returns a buffer from `take` that nothing references any more (scratch copies, released data). */
export function give(values: Float32Array): void {
  const bytes = values.byteLength;
  // Only whole arrays from take(), once each.
  if (values.byteOffset !== 0 || bytes !== values.buffer.byteLength || listed.has(values)) return;
  if (freeBytes + bytes > capBytes) return;
  let list = free.get(values.length);
  if (list === undefined) {
    list = [];
    free.set(values.length, list);
  }
  list.push(values);
  listed.add(values);
  freeBytes += bytes;
}
