/**
 * The `'onednn'` backend class: tfjs-backend-cpu's storage and kernels, with the kernels that
 * dominate CNN training replaced by native oneDNN / OpenMP code (see register.ts). Kernels run
 * synchronously on the calling thread's data (each native call uses an OpenMP team), exactly where
 * the cpu backend would run them.
 */
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { BackendValues, DataId } from '@tensorflow/tfjs-core';

import { forgetDeferred, isDeferred } from './deferred';
import { clearPool, isPooled, pooledBytes, release } from './pool';

/** The name the backend registers under: `tf.setBackend(ONEDNN_BACKEND_NAME)`. */
export const ONEDNN_BACKEND_NAME = 'onednn';

/**
 * The backend class: MathBackendCPU's storage, plus recycling of the native kernels' output buffers
 * (see pool.ts) and without the cpu backend's "install tfjs-node" banner.
 */
export class OneDnnBackend extends MathBackendCPU {
  constructor() {
    super();
    // MathBackendCPU prints a banner recommending tfjs-node on first write; this backend is the fast path.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /** Values for user code: a copy when the storage is a recycled buffer, which must not escape. */
  override readSync(dataId: DataId): BackendValues {
    const values = super.readSync(dataId);
    return isPooled(values) ? values.slice() : values;
  }

  /**
   * Releases the data like the cpu backend; when the data is gone and it owned a recycled buffer
   * (it was created with it by a native kernel), the buffer goes back to the pool.
   * tfjs also calls this for data the backend does not hold (a tensor of another backend's data):
   * `data.get` would then ask the engine to move the data here, which recurses, so `has` comes first.
   * Deferred data (deferred.ts) that was never read has no buffer: reading `values` would compute it.
   */
  override disposeData(dataId: DataId, force = false): boolean {
    const held = this.data.has(dataId);
    const deferred = held && isDeferred(dataId);
    const values = held && !deferred ? this.data.get(dataId)?.values : undefined;
    const released = super.disposeData(dataId, force);
    if (held && !this.data.has(dataId)) {
      if (deferred) forgetDeferred(dataId);
      else if (values !== undefined) release(values, dataId);
    }
    return released;
  }

  /** Called by `tf.removeBackend` / `tf.engine().reset()`: also lets the recycled buffers go. */
  override dispose(): void {
    super.dispose();
    clearPool();
  }
}

/**
 * Bytes of released tensor buffers currently kept for reuse by the native kernels. They stay
 * allocated between training steps on purpose, within the bounds of the pool options
 * (`poolBytes`, `poolMaxBufferBytes`, `poolIdleMs`); `releaseBufferPool()` lets them go at once.
 */
export function bufferPoolBytes(): number {
  return pooledBytes();
}

/** Drops the buffers kept for reuse and returns their memory to the system; returns the bytes released. */
export function releaseBufferPool(): number {
  return clearPool();
}
