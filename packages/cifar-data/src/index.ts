/**
 * @aa/cifar-data: CIFAR-10 and CIFAR-100 for TensorFlow.js in Node — downloaded (or read from a
 * verified JPEG pack such as `@aa/cifar10-subset`), parsed into NHWC uint8, augmented and batched.
 */
export type {
  CifarBatch,
  CifarSplit,
  Cifar100Split,
  Cifar10Data,
  Cifar100Data,
  CifarData,
  DataSource,
  LabeledImages,
} from './types';
export type { LoadOptions } from './load';
export { loadCifar, loadCifar10, loadCifar100, defaultCacheDir } from './load';
export type { DownloadProgress } from './progress';
export type { JpegPackSource, JpegPackSplitFiles } from './pack';
export { CIFAR10_SPEC, CIFAR100_SPEC } from './formats';
export type { DatasetSpec, BatchFileSpec } from './formats';
export type { Transform, TransformStep, CropSize, FlipOptions, NormalizeOptions, TransformImagesOptions } from './transforms';
export { crop, randomCrop, centerCrop, randomHorizontalFlip, normalize, compose, transformImages } from './transforms';
export type { DataLoaderOptions, TfDatasetOptions, TfBatch } from './loader';
export { DataLoader, dataLoader, toTfDataset } from './loader';
export type { ShiftedCropsOptions } from './shift';
export { shiftedCrops } from './shift';
export type { ChannelStats } from './stats';
export { channelStats } from './stats';
export type { Rng } from './random';
export { createRng, shuffleInPlace } from './random';
