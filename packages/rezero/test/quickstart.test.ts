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
