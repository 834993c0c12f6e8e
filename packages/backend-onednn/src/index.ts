/**
 * @aa/backend-onednn: a TensorFlow.js backend (`'onednn'`) that keeps the cpu backend's storage and
 * runs the kernels dominating CNN training natively on oneDNN.
 *
 * Importing the package registers the backend (priority 2: above cpu, below tfjs-node), as
 * tfjs-node does; without the native addon it registers a stand-in whose initialisation fails with
 * the reason and the fix, and tfjs keeps using cpu.
 */
import { registerOneDnnBackend } from './register';

export { ONEDNN_BACKEND_NAME, OneDnnBackend, bufferPoolBytes, releaseBufferPool } from './backend';
export { DEFAULT_PRIORITY, fusedGradientKernels, onednnVersion, overriddenKernels, registerOneDnnBackend, threadCount } from './register';
export type { OneDnnBackendOptions } from './register';
export { kernelStats, resetKernelStats } from './wrap';
export type { KernelStat } from './wrap';
export { isAvailable, unavailableFix, unavailableReason } from './native';

registerOneDnnBackend();
