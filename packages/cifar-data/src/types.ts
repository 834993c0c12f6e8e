import type * as tf from '@tensorflow/tfjs';

/**
 * Images kept as bytes: `images` is NHWC uint8, `[count, height, width, channels]` flattened, with one
 * class index per image. This is the input of {@link dataLoader}, {@link transformImages} and
 * {@link shiftedCrops}; any data in this shape works, not only CIFAR.
 */
export interface LabeledImages {
  /** Pixels `[count, height, width, channels]`, row-major, values 0..255. */
  readonly images: Uint8Array;
  /** Class index per image, length `count`. */
  readonly labels: ArrayLike<number>;
  /** Number of images. */
  readonly count: number;
  /** Image height in pixels. */
  readonly height: number;
  /** Image width in pixels. */
  readonly width: number;
  /** Channels per pixel (3 for RGB). */
  readonly channels: number;
}

/** One split (train or test) of a CIFAR dataset: 32x32 RGB images `[N, 32, 32, 3]` as uint8 with their labels. */
export interface CifarSplit extends LabeledImages {
  /** Class index per image (CIFAR-100: the fine label, 0..99). */
  readonly labels: Uint8Array;
  /** Superclass index per image, for layouts with two label bytes (CIFAR-100). */
  readonly coarseLabels?: Uint8Array;
}

/** One split of CIFAR-100: `labels` are the 100 fine classes, `coarseLabels` the 20 superclasses. */
export interface Cifar100Split extends CifarSplit {
  /** Superclass index per image, 0..19. */
  readonly coarseLabels: Uint8Array;
}

/** Where a dataset was read from. */
export interface DataSource {
  /**
   * `dataDir`: an extracted folder you named; `archive`: an archive you named; `pack`: a JPEG pack you
   * passed (e.g. `@aa/cifar10-subset`); `cache`: the cache; `download`: downloaded now.
   */
  readonly kind: 'dataDir' | 'archive' | 'pack' | 'cache' | 'download';
  /** The folder or archive that was read. */
  readonly path: string;
}

/** Any CIFAR-layout dataset in memory, as returned by {@link loadCifar}. */
export interface CifarData {
  /** Training split. */
  readonly train: CifarSplit;
  /** Test split. */
  readonly test: CifarSplit;
  /** Class names by (fine) label. */
  readonly classNames: readonly string[];
  /** Coarse class names, for layouts with two label bytes (CIFAR-100). */
  readonly coarseClassNames?: readonly string[];
  /** Where the data came from. */
  readonly source: DataSource;
}

/** CIFAR-10 in memory: 50,000 training and 10,000 test images with their class names. */
export interface Cifar10Data {
  /** Training split (`data_batch_1..5.bin` in order). */
  readonly train: CifarSplit;
  /** Test split (`test_batch.bin`). */
  readonly test: CifarSplit;
  /** Class names by index, from `batches.meta.txt` (`airplane`, `automobile`, ...). */
  readonly classNames: readonly string[];
  /** Where the data came from. */
  readonly source: DataSource;
}

/** CIFAR-100 in memory: 50,000 training and 10,000 test images, fine and coarse labels and names. */
export interface Cifar100Data {
  /** Training split (`train.bin`). */
  readonly train: Cifar100Split;
  /** Test split (`test.bin`). */
  readonly test: Cifar100Split;
  /** Fine class names by index (100), from `fine_label_names.txt`. */
  readonly classNames: readonly string[];
  /** Coarse class names by index (20), from `coarse_label_names.txt`. */
  readonly coarseClassNames: readonly string[];
  /** Where the data came from. */
  readonly source: DataSource;
}

/**
 * A batch as the other packages of the project expect it: `xs` float32 `[B, h, w, C]` in [0, 1] (or
 * normalised), `ys` int32 class indices `[B]`. Whoever receives it owns and disposes both tensors.
 */
// A type alias rather than an interface: tf.data needs the implicit index signature of a type literal.
export type CifarBatch = {
  /** Images `[B, h, w, C]`, float32. */
  xs: tf.Tensor4D;
  /** Class indices `[B]`, int32. */
  ys: tf.Tensor1D;
};
