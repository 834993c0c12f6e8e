/** What both entries (Node and browser) export besides their loaders. */
export { CHAPTER_CNN_KEYS, CHAPTER_CNN_POOLING, CIFAR10_CLASS_NAMES, type ChapterCnnKey } from './core/keys';
export type { ChapterCnnMetadata, ShiftMetrics } from './core/metadata';
export type { LoadChapterCnnOptions } from './core/options';
export type { FetchFn } from './core/sources';

/** The three files of one model. */
export interface ChapterCnnUrls {
  /** `model.json`: topology and weights manifest. */
  model: string;
  /** `weights.bin`: 72,808 bytes of float32 weights (BatchNorm statistics included). */
  weights: string;
  /** `metadata.json`: see {@link ChapterCnnMetadata}. */
  metadata: string;
}
