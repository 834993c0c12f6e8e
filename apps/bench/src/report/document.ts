import { TRAINING_KEYS, type Results, type TrainingRecord } from './results';

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
  if (results.data) {
    const d = results.data;
    if (d.sample) {
      intro.push({
        kind: 'text',
        text:
          '**Run on the sample**: these results come from the 1,000-image training / 500-image test sample of CIFAR-10 shipped with ' +
          '@aa/cifar-data, not the full data set, so accuracies are far below the chapter\'s. For the full set pass `--data-dir` or `--archive`, or allow the download.',
      });
    }
    intro.push({
      kind: 'table',
      header: ['data', 'value'],
      rows: [
        ['source', d.source + (d.sample ? ' (run on the sample)' : '')],
        ['images', `${d.trainSize} train / ${d.testSize} test`],
        ['preset', d.preset],
        ['epochs', String(d.epochs)],
        ['batch size', String(d.batchSize)],
      ],
    });
  }
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
  for (const key of TRAINING_KEYS) {
    const record = results.experiments[key];
    if (record) sections.push(trainingSection(record));
  }
  return { title: 'aa-bench report: chapter 14, Advanced building blocks', intro, sections };
}

const acc = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : `${(v * 100).toFixed(2)}%`);

/** A training experiment: what it does, its figures, and a table of each model's figures. */
function trainingSection(r: TrainingRecord): Section {
  const withShift = r.models.some((m) => m.shift);
  const header = ['model', 'trainable parameters', 'final test accuracy', 'training img/s'];
  if (withShift) header.push('median std of P(correct) over shifts', 'agreement with centre crop', 'accuracy over all shifts');
  const rows = r.models.map((m) => {
    const row = [m.label, m.params.toLocaleString('en-US'), acc(m.finalAccuracy), m.imagesPerSecond.toFixed(0)];
    if (withShift) row.push(m.shift ? m.shift.medianStd.toFixed(4) : '', m.shift ? acc(m.shift.agreement) : '', m.shift ? acc(m.shift.accuracyAllShifts) : '');
    return row;
  });
  const blocks: Block[] = [
    { kind: 'text', text: `${r.description} Data: ${r.dataset}. Per-epoch records: \`${r.csv}\`; ${r.seconds.toFixed(0)} s.` },
    { kind: 'images', items: r.figures.map((f) => ({ file: f.file, caption: f.caption, displayWidth: f.width })) },
    { kind: 'table', header, rows },
  ];
  for (const note of r.notes) blocks.push({ kind: 'text', text: note });
  return { title: r.title, blocks };
}
