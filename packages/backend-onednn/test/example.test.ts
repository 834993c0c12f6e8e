/** The README's example is a real program: it runs, trains on onednn, and the README shows it verbatim. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { available } from './helpers';

const packageDir = path.resolve(__dirname, '..');

describe('examples/quickstart.ts', () => {
  test('runs, trains five steps with a finite, decreasing loss and reports native kernels', () => {
    const out = execFileSync(process.execPath, [require.resolve('tsx/cli'), 'examples/quickstart.ts'], {
      cwd: packageDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const losses = [...out.matchAll(/^step (\d): loss (\d+\.\d+)$/gm)].map((m) => Number(m[2]));
    expect(losses).toHaveLength(5);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[4] as number).toBeLessThan(losses[0] as number);
    if (available || process.env.CI) {
      expect(out).toMatch(/^backend: onednn$/m);
      expect(out).toMatch(/^FusedConv2D: 5 native runs, 0 cpu fallbacks$/m);
    } else {
      expect(out).toMatch(/^oneDNN unavailable \(.+\), staying on the cpu backend$/m);
    }
  }, 60000);

  test('README.md contains the example file verbatim', () => {
    const readme = fs.readFileSync(path.join(packageDir, 'README.md'), 'utf8');
    const example = fs.readFileSync(path.join(packageDir, 'examples', 'quickstart.ts'), 'utf8');
    expect(readme).toContain('```ts\n' + example.trimEnd() + '\n```');
  });
});
