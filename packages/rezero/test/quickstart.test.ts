import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import * as rezeroPackage from '@aa/rezero';

const packageDir = path.resolve(__dirname, '..');
const exampleFile = path.join(packageDir, 'examples', 'quickstart.ts');

describe('examples/quickstart.ts (the README example)', () => {
  it('runs and prints the chapter parameter count and two gates that left zero', () => {
    const stdout = execFileSync(process.execPath, [require.resolve('tsx/cli'), 'examples/quickstart.ts'], {
      cwd: packageDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(stdout).toContain('chapter ResNet: 1181222 trainable parameters');
    const gates = [...stdout.matchAll(/^(\w+): alpha = (-?\d+\.\d+)$/gm)];
    expect(gates.map((m) => m[1])).toEqual(['first_rezero', 'second_rezero']);
    for (const m of gates) expect(Math.abs(Number(m[2]))).toBeGreaterThan(0);
  });

  it('examples/chapterResnet.ts runs, prints the counts and reproducible weights, and is quoted in README.md', () => {
    const stdout = execFileSync(process.execPath, [require.resolve('tsx/cli'), 'examples/chapterResnet.ts'], {
      cwd: packageDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(stdout).toContain('rezero_resnet: 1181222 trainable parameters');
    expect(stdout).toContain('plain_resnet: 1181194 trainable parameters');
    expect(stdout).toContain('same seed, same weights: true');
    expect(stdout).toContain('segments resnet_stage0, resnet_stage1, resnet_stage2, resnet_stage3, resnet_head -> logits [2, 10]');
    const readme = fs.readFileSync(path.join(packageDir, 'README.md'), 'utf8');
    expect(readme).toContain(fs.readFileSync(path.join(packageDir, 'examples', 'chapterResnet.ts'), 'utf8').trim());
  });

  it('the API table of README.md names every runtime export', () => {
    const readme = fs.readFileSync(path.join(packageDir, 'README.md'), 'utf8');
    const api = readme.slice(readme.indexOf('## API'), readme.indexOf('\n## ', readme.indexOf('## API') + 1));
    const firstCells = api
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => line.split(' | ')[0] as string);
    for (const name of Object.keys(rezeroPackage)) {
      expect(firstCells.some((cell) => new RegExp(`\`(new )?${name}[\`(]`).test(cell))).toBe(true);
    }
  });

  it('is quoted verbatim in README.md', () => {
    const readme = fs.readFileSync(path.join(packageDir, 'README.md'), 'utf8');
    const code = fs.readFileSync(exampleFile, 'utf8');
    expect(readme).toContain(code.trim());
  });
});

describe('the ReZero transformer and CIFAR ResNet examples', () => {
  const run = (file: string) =>
    execFileSync(process.execPath, [require.resolve('tsx/cli'), file], { cwd: packageDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const readme = () => fs.readFileSync(path.join(packageDir, 'README.md'), 'utf8');

  it('examples/transformer.ts is quoted in README.md, learns the reversal and moves both gates off zero', () => {
    expect(readme()).toContain(fs.readFileSync(path.join(packageDir, 'examples', 'transformer.ts'), 'utf8').trim());
    const stdout = run('examples/transformer.ts');
    expect(stdout).toContain('encoder: 4458 trainable parameters');
    const [, first, last] = /loss: epoch 1 (\d+\.\d+), epoch 40 (\d+\.\d+)/.exec(stdout) ?? [];
    expect(Number(last)).toBeLessThan(Number(first) / 5);
    const gates = [...stdout.matchAll(/^(encoder_layer\d_rezero): alpha = (-?\d+\.\d+)$/gm)];
    expect(gates.map((m) => m[1])).toEqual(['encoder_layer0_rezero', 'encoder_layer1_rezero']);
    for (const m of gates) expect(Math.abs(Number(m[2]))).toBeGreaterThan(0.01);
    expect(stdout).toContain('decoder layer: target [null, 5, 16] + memory [null, 8, 16] -> [null, 5, 16]');
  });

  it('examples/cifarResnet.ts is quoted in README.md and prints the notebook counts', () => {
    expect(readme()).toContain(fs.readFileSync(path.join(packageDir, 'examples', 'cifarResnet.ts'), 'utf8').trim());
    const stdout = run('examples/cifarResnet.ts');
    for (const line of [
      'rezero_resnet20: 269731 trainable parameters',
      'resnet20: 269722 trainable parameters',
      'rezero_resnet56: 853045 trainable parameters',
      'resnet56: 853018 trainable parameters',
      '9 gates, all zero: true',
      'logits: [2, 10]',
    ]) {
      expect(stdout).toContain(line);
    }
  });
});
