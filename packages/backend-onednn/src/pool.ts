import * as os from 'node:os';

import { isAvailable, nativeAddon } from './native';

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
 *
 * Memory goes back to the system without a manual call (see `PoolPolicy`): a buffer that is not
 * kept (too large, over the cap, idle too long) has its pages released at once with
 * `madvise(MADV_DONTNEED)`, instead of staying resident until V8 collects the ArrayBuffer.
 */

/** The bounds of the pool. */
export interface PoolPolicy {
  /** Most bytes kept in the free lists (0 disables recycling). */
  capBytes: number;
  /** Buffers larger than this are never kept: their memory is returned as soon as their tensor is freed. */
  maxBufferBytes: number;
  /** A kept buffer that waits longer than this (ms) for reuse is dropped and its memory returned. */
  idleMs: number;
}

/**
 * Default cap: a quarter of the machine's memory. The pool only holds buffers the process already
 * had live at once (a training step's peak, about 2 GiB for the chapter's ResNet at batch 128), so
 * the cap matters only when sizes keep changing; the idle time returns it all after training.
 */
export const DEFAULT_POOL_BYTES = Math.floor(os.totalmem() / 4);

/** Default largest recycled buffer: 256 MiB, about 13 times the chapter's largest activation (19 MB). */
export const DEFAULT_POOL_MAX_BUFFER_BYTES = 256 * 2 ** 20;

/** Default idle time before a waiting buffer is dropped: far above a training step, short after training. */
export const DEFAULT_POOL_IDLE_MS = 3000;

// Below this a buffer spans too few pages for a madvise call to be worth it; V8 frees it in time.
const DECOMMIT_MIN_BYTES = 64 * 1024;

interface Entry {
  array: Float32Array;
  since: number;
}

// Per length, the waiting buffers in the order they were released (the newest is reused first).
const free = new Map<number, Entry[]>();
const owned = new WeakSet<ArrayBufferLike>();
// The tensor data (tfjs DataId) each handed-out array was adopted by: the only one that may release it.
const owners = new WeakMap<Float32Array, object>();
// Arrays sitting in the free lists, so that a buffer is never listed twice.
const listed = new WeakSet<Float32Array>();
let freeBytes = 0;
let timer: ReturnType<typeof setTimeout> | null = null;

/** Counters for diagnostics: buffers allocated because none of their length was free, and bytes returned to the system. */
export const poolStats = { misses: 0, missBytes: 0, decommittedBytes: 0 };
const policy: PoolPolicy = { capBytes: DEFAULT_POOL_BYTES, maxBufferBytes: DEFAULT_POOL_MAX_BUFFER_BYTES, idleMs: DEFAULT_POOL_IDLE_MS };

/** Sets some of the bounds and trims the free lists to them. */
export function setPoolPolicy(next: Partial<PoolPolicy>): void {
  Object.assign(policy, next);
  // A timer set for the old idle time would hold a shorter new one back until it fires.
  if (timer !== null) {
    clearTimeout(timer);
    timer = null;
  }
  if (freeBytes > policy.capBytes) clearPool();
  trim(performance.now(), true);
}

/** The bounds in force. */
export function poolPolicy(): PoolPolicy {
  return { ...policy };
}

/** Returns the resident pages of an array nobody uses any more to the system (Linux; elsewhere V8 frees it later). */
function decommit(array: Float32Array): void {
  if (array.byteLength < DECOMMIT_MIN_BYTES || !isAvailable()) return;
  poolStats.decommittedBytes += nativeAddon().decommit(array);
}

/** Drops every free buffer, returning their memory; returns the bytes dropped. */
export function clearPool(): number {
  const dropped = freeBytes;
  for (const list of free.values()) {
    for (const { array } of list) {
      listed.delete(array);
      decommit(array);
    }
  }
  free.clear();
  freeBytes = 0;
  return dropped;
}

/** Drops the buffers that waited longer than the idle time (all of the oversized ones when `sizes` is set). */
function trim(now: number, sizes = false): void {
  for (const [length, list] of free) {
    let drop = 0;
    if (sizes && length * 4 > policy.maxBufferBytes) drop = list.length;
    else while (drop < list.length && now - (list[drop] as Entry).since >= policy.idleMs) drop++;
    for (const { array } of list.splice(0, drop)) {
      listed.delete(array);
      freeBytes -= array.byteLength;
      decommit(array);
    }
    if (list.length === 0) free.delete(length);
  }
  schedule();
}

/** Keeps one timer while buffers wait; unref'd, so it never keeps the process alive. */
function schedule(): void {
  if (timer !== null || free.size === 0 || !Number.isFinite(policy.idleMs)) return;
  timer = setTimeout(() => {
    timer = null;
    trim(performance.now());
  }, policy.idleMs);
  timer.unref?.();
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
    listed.delete(reused.array);
    freeBytes -= n * 4;
    return reused.array;
  }
  poolStats.missBytes += n * 4;
  poolStats.misses++;
  const array = guardedAlloc(n) ?? fresh(n);
  owned.add(array.buffer);
  return array;
}

function fresh(n: number): Float32Array {
  const bytes = Buffer.allocUnsafeSlow(n * 4);
  return new Float32Array(bytes.buffer, bytes.byteOffset, n);
}

let alignEnd = false;

/**
 * In the sanitizer test build (see test/sanitizer), outputs sit against an inaccessible page, on
 * alternate sides, so that a native write past either end faults even in uninstrumented code.
 */
function guardedAlloc(n: number): Float32Array | null {
  const guarded = isAvailable() ? nativeAddon().guardedFloat32Array : undefined;
  if (guarded === undefined) return null;
  alignEnd = !alignEnd;
  return guarded(n, alignEnd);
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
  if (bytes > policy.maxBufferBytes || freeBytes + bytes > policy.capBytes) {
    decommit(values); // not kept: its memory goes back now, not when V8 gets to the ArrayBuffer
    return;
  }
  let list = free.get(values.length);
  if (list === undefined) {
    list = [];
    free.set(values.length, list);
  }
  list.push({ array: values, since: performance.now() });
  listed.add(values);
  freeBytes += bytes;
  schedule();
}
