/** Bytes of one 32×32 RGB image. */
export const IMAGE_BYTES = 32 * 32 * 3;

/** `public/cifar10-test-images.json`: which test images the `.bin` holds. */
export interface TestImageIndex {
  source: string;
  layout: string;
  images: { index: number; label: number; className: string }[];
}

/** One CIFAR-10 test image: its uint8 pixels `[32, 32, 3]` and where it came from. */
export interface TestImage {
  /** Position in the embedded subset's test split. */
  index: number;
  label: number;
  className: string;
  pixels: Uint8Array;
}

/** Fetches the playground's test images (written by scripts/make-test-images.ts). */
export async function loadTestImages(base: string): Promise<TestImage[]> {
  const [indexResponse, binResponse] = await Promise.all([fetch(`${base}cifar10-test-images.json`), fetch(`${base}cifar10-test-images.bin`)]);
  if (!indexResponse.ok || !binResponse.ok) throw new Error(`loadTestImages: could not fetch ${base}cifar10-test-images.{json,bin} (HTTP ${indexResponse.status}, ${binResponse.status}).`);
  const index = (await indexResponse.json()) as TestImageIndex;
  const bytes = new Uint8Array(await binResponse.arrayBuffer());
  if (bytes.byteLength !== index.images.length * IMAGE_BYTES) {
    throw new Error(`loadTestImages: cifar10-test-images.bin holds ${bytes.byteLength} bytes, expected ${index.images.length} × ${IMAGE_BYTES}.`);
  }
  return index.images.map((im, k) => ({ ...im, pixels: bytes.subarray(k * IMAGE_BYTES, (k + 1) * IMAGE_BYTES) }));
}
