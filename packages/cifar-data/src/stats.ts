import { assertLabeledImages } from './transforms';
import type { LabeledImages } from './types';

/** Per-channel mean and (population) standard deviation of the [0, 1] pixel values. */
export interface ChannelStats {
  /** Mean per channel. */
  mean: number[];
  /** Standard deviation per channel. */
  std: number[];
}

/**
 * Measures per-channel mean and standard deviation of `set` on the [0, 1] scale, the numbers
 * {@link normalize} wants. Computed exactly from a 256-bin histogram per channel, in one pass over the bytes.
 * @example const stats = channelStats(data.train); // CIFAR-10 train: mean ≈ [0.491, 0.482, 0.447]
 */
export function channelStats(set: LabeledImages): ChannelStats {
  assertLabeledImages('channelStats', set);
  const C = set.channels;
  const hist = new Float64Array(256 * C);
  const { images } = set;
  for (let i = 0; i < images.length; i += C) for (let c = 0; c < C; c++) hist[c * 256 + images[i + c]!]!++;
  const mean: number[] = [];
  const std: number[] = [];
  const n = images.length / C;
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let v = 0; v < 256; v++) s += hist[c * 256 + v]! * (v / 255);
    const m = n > 0 ? s / n : 0;
    let q = 0;
    for (let v = 0; v < 256; v++) q += hist[c * 256 + v]! * (v / 255 - m) ** 2;
    mean.push(m);
    std.push(n > 0 ? Math.sqrt(q / n) : 0);
  }
  return { mean, std };
}
