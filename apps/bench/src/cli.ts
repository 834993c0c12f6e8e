#!/usr/bin/env node
import { resolve } from 'node:path';

import { Command, Option } from 'commander';

import { BACKEND_CHOICES, describeBackend, selectBackend } from './backend';
import { backendChoice, defaultOutDir, positiveInt, validateAliasing, type AliasingCliOptions, type GlobalOptions } from './config';
import { readResults } from './report/results';
import { runAliasingStep, startResults, writeReport, type Log } from './runner';

const log: Log = (line) => process.stderr.write(`${line}\n`);

const program = new Command('aa-bench')
  .description("Reproduces the experiments of chapter 14 of Inside Deep Learning with the @aa packages and writes a report.")
  .addOption(new Option('--out <dir>', 'output folder (default: results/<timestamp>)'))
  .addOption(new Option('--backend <name>', `tfjs backend: ${BACKEND_CHOICES.join(', ')}`).default('auto').argParser(backendChoice))
  .showHelpAfterError();

function globals(): GlobalOptions {
  const opts = program.opts<{ out?: string; backend: GlobalOptions['backend'] }>();
  return { out: resolve(opts.out ?? defaultOutDir()), backend: opts.backend };
}

program
  .command('aliasing')
  .description("the zebra demonstration: shrink an image with max pooling and with anti-aliased pooling, and measure the aliasing")
  .option('--image <file>', 'a PNG or JPEG to use instead of the generated zone plate')
  .option('--factor <n>', 'shrink factor', positiveInt('--factor'), 4)
  .option('--size <n>', 'side of the square image (the chapter uses 1000)', positiveInt('--size'), 1000)
  .action(async (options: AliasingCliOptions) => {
    validateAliasing(options);
    const { out, backend } = globals();
    const info = await selectBackend(backend);
    describeBackend(info).forEach((line) => log(line));
    const results = startResults({ experiment: 'aliasing', ...options }, info);
    runAliasingStep(out, options, results, log);
    results.finishedAt = new Date().toISOString();
    writeReport(out, results);
    log(`report: ${resolve(out, 'report.html')}`);
  });

program
  .command('report')
  .description('rebuild report.md and report.html of a finished run from its results.json')
  .argument('<dir>', 'the run folder')
  .action((dir: string) => {
    writeReport(resolve(dir), readResults(resolve(dir)));
    log(`report: ${resolve(dir, 'report.html')}`);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  log(`aa-bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
