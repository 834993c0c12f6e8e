/**
 * @aa/backend-onednn: a TensorFlow.js backend (`'onednn'`) that keeps the cpu backend's storage and
 * runs the kernels dominating CNN training natively on oneDNN.
 */
export {
  DEFAULT_PRIORITY,
  ONEDNN_BACKEND_NAME,
  OneDnnBackend,
  bufferPoolBytes,
  fusedGradientKernels,
  kernelStats,
  onednnVersion,
  overriddenKernels,
  registerOneDnnBackend,
  releaseBufferPool,
  resetKernelStats,
  threadCount,
} from './backend';
export type { KernelStat, OneDnnBackendOptions } from './backend';
export { isAvailable, unavailableReason } from './native';
