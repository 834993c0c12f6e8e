/** Every kernel this backend implements natively, by family. */
import { batchNormKernels } from './batchnorm';
import type { NativeKernel } from './common';
import { convKernels } from './conv';
import { elementwiseKernels } from './elementwise';
import { layoutKernels } from './layout';
import { matmulKernels } from './matmul';
import { poolKernels } from './pool';
import { reduceKernels } from './reduce';
import { segmentKernels } from './segment';

/** All native kernels, in registration order. */
export const nativeKernels: readonly NativeKernel[] = [
  ...convKernels,
  ...poolKernels,
  ...matmulKernels,
  ...batchNormKernels,
  ...elementwiseKernels,
  ...reduceKernels,
  ...layoutKernels,
  ...segmentKernels,
];
