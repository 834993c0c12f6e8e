import type { Tolerance } from './harness';

/**
 * Per-backend tolerances against the float64 PyTorch values. cpu computes in float32 JS as the Node tests do, so it
 * gets their tolerances. webgl runs float32 shaders (SwiftShader in headless Chromium): sums are accumulated in another
 * order and exp/log/sqrt are less exact, so about ten times looser — still far below any real bug (a wrong tap,
 * stride or padding moves values by 1e-2 or more).
 */
export const TOLERANCES: Record<string, Record<'forward' | 'grad', Tolerance>> = {
  cpu: { forward: { rtol: 1e-4, atol: 1e-5 }, grad: { rtol: 1e-4, atol: 1e-5 } },
  webgl: { forward: { rtol: 1e-3, atol: 1e-4 }, grad: { rtol: 1e-3, atol: 1e-4 } },
};
