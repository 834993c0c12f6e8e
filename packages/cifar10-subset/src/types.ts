/**
 * The three files of one split of a JPEG pack, by name inside the pack's folder. Structurally the same
 * type as `JpegPackSplitFiles` in `@aa/cifar-data` (packages do not import each other).
 */
export interface JpegPackSplitFiles {
  /** The split's JPEG files back to back. */
  readonly jpeg: string;
  /** Little-endian uint32 start offsets into `jpeg`, one more than images (the last is its size). */
  readonly offsets: string;
  /** One class index per image, one byte each. */
  readonly labels: string;
}

/**
 * A dataset stored as a JPEG pack: per split, the images' JPEG bytes back to back, their offsets and
 * their labels, with the size and SHA-256 of every file so a reader can verify them before decoding.
 * Structurally the same type as `JpegPackSource` in `@aa/cifar-data`, which loads it.
 */
export interface JpegPackSource {
  /** Marks the descriptor's format. */
  readonly kind: 'jpeg-pack';
  /** Short name for messages, e.g. `cifar10-subset`. */
  readonly name: string;
  /** Absolute path of the folder holding the files. */
  readonly dir: string;
  /** File names of each split inside `dir`. */
  readonly files: { readonly train: JpegPackSplitFiles; readonly test: JpegPackSplitFiles };
  /** SHA-256 (lowercase hex) of every file, by file name. */
  readonly sha256: Readonly<Record<string, string>>;
  /** Byte size of every file, by file name. */
  readonly bytes: Readonly<Record<string, number>>;
  /** Images per split. */
  readonly counts: { readonly train: number; readonly test: number };
  /** Class names by label. */
  readonly classNames: readonly string[];
}
