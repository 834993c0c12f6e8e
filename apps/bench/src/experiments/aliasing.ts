import { basename } from 'node:path';

import { resizeAndCenterCrop, zonePlate } from '../aliasing/images';
import { runAliasing, type AliasingResult } from '../aliasing/measure';
import type { Claim } from '../claims/claims';
import { positiveInt } from '../config';
import { decodeImageFile, encodePng } from '../report/png';
import { claimBlocks } from '../report/verdicts';
import type { Experiment, ExperimentRecordBase } from './types';

/** The aliasing demonstration as stored: the measurement without its images (they are files). */
export interface AliasingRecord extends ExperimentRecordBase, Omit<AliasingResult, 'images'> {}

const pct = (v: number) => `${(v * 100).toFixed(0)}%`;

function aliasingClaim(r: AliasingRecord): Claim {
  const lower = r.error.antiAliased < r.error.maxPool;
  return {
    id: 'blur-reduces-aliasing',
    finding: 'blurring before subsampling reduces aliasing',
    statement: 'Blurring before subsampling (max pooling at stride 1, then a binomial blur at the stride) shrinks an image with less aliasing than max pooling (section 14.1.2).',
    experiment: 'aliasing',
    verdict: lower ? 'reproduced' : 'not reproduced',
    pValue: null,
    effect: { measure: 'relative reduction of the RMS aliasing error', value: Number(r.reduction.toFixed(4)), display: `error ${pct(Math.abs(r.reduction))} ${lower ? 'lower' : 'higher'} (${r.error.antiAliased.toFixed(4)} vs ${r.error.maxPool.toFixed(4)})` },
    test: 'a deterministic measurement on one image: no sampling, so no p-value',
    evidence: [
      `${lower ? 'Reproduced' : 'Not reproduced'}: the RMS aliasing error is ${r.error.antiAliased.toFixed(4)} anti-aliased against ${r.error.maxPool.toFixed(4)} with max pooling (${pct(r.reduction)} lower) on the ${r.source}, ${r.size}×${r.size}, shrunk ${r.factor}×.`,
    ],
  };
}

/** Section 14.1: the zebra demonstration, on a zone plate (every frequency at once) or the user's image. */
export const aliasing: Experiment<AliasingRecord> = {
  key: 'aliasing',
  command: 'aliasing',
  title: 'Aliasing: shrinking an image with and without anti-aliasing',
  summary: 'the zebra demonstration: shrink an image with max pooling and with anti-aliased pooling, and measure the aliasing',
  trains: false,
  options: [
    { flags: '--image <file>', description: 'a PNG or JPEG to use instead of the generated zone plate' },
    { flags: '--factor <n>', description: 'shrink factor (at least 2)', parse: positiveInt('--factor'), default: 4 },
    { flags: '--size <n>', description: 'side of the square image (the chapter uses 1000; at least 8 × --factor)', parse: positiveInt('--size'), default: 1000 },
  ],
  models: () => [],
  run: async (ctx) => {
    const { image: file, factor, size } = ctx.options as { image?: string; factor: number; size: number };
    if (factor < 2) throw new Error(`--factor must be at least 2 (the shrink factor), got ${factor}.`);
    if (size < 8 * factor) throw new Error(`--size must be at least 8 x --factor (${8 * factor}) for a meaningful comparison, got ${size}.`);
    const source = file ? basename(file) : 'zone plate';
    ctx.log(`aliasing: ${source}, ${size}x${size}, shrink ${factor}x`);
    const image = file ? resizeAndCenterCrop(decodeImageFile(file), size) : zonePlate(size);
    const r = runAliasing({ image, source, factor });
    ctx.log(`aliasing: error ${r.error.maxPool.toFixed(4)} with max pooling, ${r.error.antiAliased.toFixed(4)} anti-aliased (${pct(r.reduction)} lower)`);
    return {
      record: { title: aliasing.title, source: r.source, size: r.size, factor: r.factor, blurKernelSize: r.blurKernelSize, error: r.error, reduction: r.reduction, notes: [] },
      figures: [
        { file: 'aliasing-original.png', content: encodePng(r.images.original), caption: `original (${r.size}x${r.size})`, width: 360 },
        { file: 'aliasing-maxpool.png', content: encodePng(r.images.maxPool), caption: `max pooling, ${r.factor}x smaller`, width: 360 },
        { file: 'aliasing-antialiased.png', content: encodePng(r.images.antiAliased), caption: `anti-aliased (max pool + blur), ${r.factor}x smaller`, width: 360 },
      ],
      files: [{ file: 'aliasing.csv', content: `method,aliasing_error\nmax_pool,${r.error.maxPool}\nanti_aliased,${r.error.antiAliased}\n` }],
    };
  },
  claims: (r) => [aliasingClaim(r)],
  section: (r, results) => ({
    title: aliasing.title,
    blocks: [
      ...claimBlocks(results.claims.filter((c) => c.experiment === 'aliasing')),
      {
        kind: 'text',
        text:
          `The chapter shrinks a photo of zebras ${r.factor}x with max pooling and sees jagged, blocky stripes (aliasing); ` +
          `max pooling at stride 1 followed by a binomial blur of ${r.blurKernelSize} taps at stride ${r.factor} ` +
          `(the chapter's \`int(1.5 * factor)\`) keeps them smooth. Source: ${r.source}, ${r.size}x${r.size}.`,
      },
      { kind: 'images', items: r.figures.map((f) => ({ file: f.file, caption: f.caption, displayWidth: f.width })) },
      {
        kind: 'table',
        header: ['method', 'aliasing error (RMS)'],
        rows: [
          ['max pooling', r.error.maxPool.toFixed(4)],
          ['anti-aliased', r.error.antiAliased.toFixed(4)],
          ['reduction', pct(r.reduction)],
        ],
      },
      {
        kind: 'text',
        text:
          'Aliasing error: both methods take the same dense (stride-1) max and differ only in how they subsample it; each output is ' +
          'compared with that dense max low-passed by a wide binomial filter and sampled at the same positions (RMS per channel, after ' +
          "removing each image's mean).",
      },
    ],
  }),
};
