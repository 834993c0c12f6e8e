/**
 * The one switch of the backend's fusions (`fuseGradients`, default on): the cheaper gradients of
 * gradients.ts and the deferred `tf.moments` intermediates of kernels/moments.ts. Off, every kernel
 * and gradient computes exactly what tfjs-core defines, step by step.
 */
let on = true;

/** Turns the fusions on or off. */
export function setFusion(value: boolean): void {
  on = value;
}

/** Whether the fusions are on. */
export function fusionOn(): boolean {
  return on;
}
