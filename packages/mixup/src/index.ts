/**
 * @aa/mixup — MixUp, CutMix and Manifold MixUp for TensorFlow.js (section 14.3 of *Inside Deep Learning*): the mixing
 * (with everything timm's `Mixup` offers, and Keras 3's `MixUp`/`CutMix` layers), the seedable random draws it needs,
 * and every loss and score that understands MixUp targets.
 */
export type { Batch, BatchSource, Loss, MixedBatch, MixMethod, MixupMode, MixupTargets, Score, Targets } from './types';
export { createRng } from './rng';
export type { Rng } from './rng';
export { sampleBeta, sampleGamma } from './beta';
export { randomPermutation, sampleLambdas } from './draws';
export type { MixOptions } from './policy';
export { drawMix } from './mixDraw';
export type { MixDraw } from './mixDraw';
export { applyMix, mixTargets } from './applyMix';
export { mixBatch } from './mixBatch';
export type { MixBatchOptions } from './mixBatch';
export { mixInputs, mixupBatch } from './mixup';
export type { MixupOptions } from './mixup';
export { boxLambda, cutmixBox } from './box';
export type { CutmixBox } from './box';
export { cutmixBatch } from './cutmix';
export type { CutmixOptions } from './cutmix';
export { crossEntropy, mixupLoss, perSampleCrossEntropy } from './loss';
export type { BaseLoss, CrossEntropyOptions } from './loss';
export { accuracy, mixupAccuracy } from './score';
export { mixupSoftTargets } from './softTargets';
export type { SoftTargetOptions } from './softTargets';
export { mixupCollator, withMixup } from './collator';
export type { BatchTransform, MixupCollator, MixupCollatorOptions, MixupSourceControls, MixupSourceState, WithMixupOptions } from './collator';
export { mixupDataset } from './dataset';
export type { MixupDatasetOptions, XsYs } from './dataset';
export { MixingLayer } from './mixingLayer';
export type { LayerArgs, MixingLayerArgs } from './mixingLayer';
export { MixUp } from './mixUpLayer';
export type { MixUpArgs } from './mixUpLayer';
export { CutMix } from './cutMixLayer';
export type { CutMixArgs } from './cutMixLayer';
export { manifoldMixupForward, runSegments } from './manifold';
export type { ManifoldMixupOptions, ManifoldMixupResult, Segment } from './manifold';
export { isMixupTargets } from './validate';
