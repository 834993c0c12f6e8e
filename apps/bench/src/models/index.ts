export { chapterCnn, CNN_POOLINGS, type ChapterCnnOptions, type CnnPooling } from './cnn';
export { blurDownsample, bottleneckResnet, chapterResnet, denseResidualNet, type ChapterResnetOptions, type Exercise3Options } from './resnets';
export { torchBatchNorm, torchBias, torchKernel } from './init';
export { segmentedResnet, segmentsOf, type SegmentedModel } from './segmented';
