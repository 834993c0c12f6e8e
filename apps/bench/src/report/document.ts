import type { Results } from './results';
import { verdictSummary } from './verdicts';

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

/** The report's section for each experiment of the run, in the registry's order. */
export type SectionSource = { key: string; section: (record: never, results: Results) => Section };

/**
 * Builds the report from the results alone: first what the run showed (the verdicts), then how it ran, then one
 * section per experiment (each repeating its own verdicts).
 */
export function buildDocument(results: Results, experiments: readonly SectionSource[]): ReportDocument {
  const env = results.environment;
  const intro: Block[] = [...verdictSummary(results.claims)];
  const s = results.settings;
  const d = results.data;
  if (d?.embedded) {
    intro.push({
      kind: 'text',
      text:
        `**Run on the embedded subset**: ${d.trainSize.toLocaleString('en-US')} training / ${d.testSize.toLocaleString('en-US')} test images of CIFAR-10 ` +
        'shipped with the project (full CIFAR-10 was not available). The chapter uses 50,000 / 10,000 images and 30 epochs, so accuracies are below its figures; ' +
        'for the full set pass `--data-dir` or `--archive`, or allow the download.',
    });
  }
  intro.push({
    kind: 'text',
    text:
      `Reproduction of the experiments of chapter 14 of *Inside Deep Learning* (E. Raff) with the @aa TensorFlow.js packages: \`aa-bench ${results.command}\`, ` +
      `started ${results.startedAt}${results.finishedAt ? `, finished ${results.finishedAt}` : ' (unfinished)'}.`,
  });
  const rows: string[][] = [
    ['backend', `${env.backend} (${env.backendProvider})`],
    ['machine', `${env.platform}, ${env.cpus} cores; Node ${env.node}, tfjs ${env.tfjs}`],
    ['experiments', results.planned.join(', ')],
  ];
  if (d) rows.push(['data', `${d.source}: ${d.trainSize.toLocaleString('en-US')} training / ${d.testSize.toLocaleString('en-US')} test images`]);
  if (s) {
    rows.push(['size', s.preset === 'auto' ? 'chosen for the time budget (auto)' : `preset ${s.preset}`], ['batch size', String(s.batchSize)], ['first seed', String(s.seed)]);
    for (const line of s.sizing) rows.push(['sizing', line]);
  }
  intro.push({ kind: 'table', header: ['setting', 'value'], rows });
  const sections: Section[] = [];
  for (const e of experiments) {
    const record = results.experiments[e.key];
    if (record) sections.push(e.section(record as never, results));
  }
  return { title: 'aa-bench report: chapter 14, Advanced building blocks', intro, sections };
}
