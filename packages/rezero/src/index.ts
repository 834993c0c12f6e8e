export { rezero, ReZero, type ReZeroArgs, type LayerArgs } from './rezero';
export { residualBlock, type ResidualBlockOptions } from './residualBlock';
export { bottleneckBlock, type BottleneckBlockOptions } from './bottleneckBlock';
export { denseResidualBlock, type DenseResidualBlockOptions } from './denseResidualBlock';
export { resnet, type ResNetOptions } from './resnet';
export { chapterResnet, type ChapterResNetOptions } from './chapterResnet';
export { segmentedResnet, type SegmentedResNet } from './segmentedResnet';
export { bottleneckResnet, type BottleneckResNetOptions } from './bottleneckResnet';
export { denseResidualNet, type DenseResidualNetOptions } from './denseResidualNet';
export { cifarResnet, type CifarResNetOptions } from './cifarResnet';
export { ZeroPadShortcut, type ZeroPadShortcutArgs } from './zeroPadShortcut';
export { TorchMultiheadAttention, type TorchMultiheadAttentionArgs } from './attention';
export { rezeroEncoderLayer, type RezeroEncoderLayerOptions } from './rezeroEncoderLayer';
export { rezeroDecoderLayer, type RezeroDecoderLayerOptions } from './rezeroDecoderLayer';
export {
  rezeroTransformerDecoder,
  rezeroTransformerEncoder,
  type RezeroTransformerDecoderOptions,
  type RezeroTransformerEncoderOptions,
} from './rezeroTransformerStacks';
export { type RezeroTransformerOptions } from './transformerParts';
export { kaimingNormalInitializer, torchBatchNorm, torchBiasInitializer, torchKernelInitializer, type Initializer, type TorchBatchNormOptions } from './torchInit';
export { countTrainableParams, rezeroGates, type ReZeroGate } from './inspect';
export { type CommonBlockOptions, type Downsample, type DownsampleInfo } from './blockParts';
export { ACTIVATIONS, type Activation } from './validate';
