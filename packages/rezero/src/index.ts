export { rezero, ReZero, type ReZeroArgs, type LayerArgs } from './rezero';
export { residualBlock, type ResidualBlockOptions } from './residualBlock';
export { bottleneckBlock, type BottleneckBlockOptions } from './bottleneckBlock';
export { denseResidualBlock, type DenseResidualBlockOptions } from './denseResidualBlock';
export { resnet, type ResNetOptions } from './resnet';
export { countTrainableParams, rezeroGates, type ReZeroGate } from './inspect';
export { type CommonBlockOptions, type Downsample, type DownsampleInfo } from './blockParts';
export { ACTIVATIONS, type Activation } from './validate';
