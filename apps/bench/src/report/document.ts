import type { Results } from './results';

/** A report as plain blocks, rendered to Markdown and to HTML by their own modules. */
export type Block =
  | { kind: 'text'; text: string }
  | { kind: 'table'; header: string[]; rows: string[][] }
  | { kind: 'images'; items: { file: string; caption: string; displayWidth: number }[] };

export interface Section {
  title: string;
  blocks: Block[];
}

export interface ReportDocument {
  title: string;
  intro: Block[];
  sections: Section[];
}

const pct = (v: number) => `${(v * 100).toFixed(0)}%`;

/** Builds the report from the results alone. */
export function buildDocument(results: Results): ReportDocument {
  const env = results.environment;
  const intro: Block[] = [
    {
      kind: 'text',
      text:
        `Reproduction of the experiments of chapter 14 of *Inside Deep Learning* (E. Raff) with the @aa TensorFlow.js packages. ` +
        `Run started ${results.startedAt}${results.finishedAt ? `, finished ${results.finishedAt}` : ' (unfinished)'}.`,
    },
    {
      kind: 'table',
      header: ['setting', 'value'],
      rows: [
        ['backend', `${env.backend} (${env.backendProvider})`],
        ['tfjs', env.tfjs],
        ['node', env.node],
        ['machine', `${env.platform}, ${env.cpus} cores`],
        ...Object.entries(results.config).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      ],
    },
  ];
  const sections: Section[] = [];
  const aliasing = results.experiments.aliasing;
  if (aliasing) {
    sections.push({
      title: 'Aliasing: shrinking an image with and without anti-aliasing',
      blocks: [
        {
          kind: 'text',
          text:
            `The chapter shrinks a photo of zebras ${aliasing.factor}x with max pooling and sees jagged, blocky stripes (aliasing); ` +
            `max pooling at stride 1 followed by a binomial blur of ${aliasing.blurKernelSize} taps at stride ${aliasing.factor} ` +
            `(the chapter's \`int(1.5 * factor)\`) keeps them smooth. Source: ${aliasing.source}, ${aliasing.size}x${aliasing.size}.`,
        },
        {
          kind: 'images',
          items: [
            { file: aliasing.images.original, caption: `original (${aliasing.size}x${aliasing.size})`, displayWidth: 360 },
            { file: aliasing.images.maxPool, caption: `max pooling, ${aliasing.factor}x smaller`, displayWidth: 360 },
            { file: aliasing.images.antiAliased, caption: `anti-aliased (max pool + blur), ${aliasing.factor}x smaller`, displayWidth: 360 },
          ],
        },
        {
          kind: 'table',
          header: ['method', 'aliasing error (RMS)'],
          rows: [
            ['max pooling', aliasing.error.maxPool.toFixed(4)],
            ['anti-aliased', aliasing.error.antiAliased.toFixed(4)],
            ['reduction', pct(aliasing.reduction)],
          ],
        },
        {
          kind: 'text',
          text:
            'Aliasing error: both methods take the same dense (stride-1) max and differ only in how they subsample it; each output is ' +
            'compared with that dense max low-passed by a wide binomial filter and sampled at the same positions (RMS per channel, after ' +
            'removing each image\'s mean).',
        },
      ],
    });
  }
  return { title: 'aa-bench report: chapter 14, Advanced building blocks', intro, sections };
}
