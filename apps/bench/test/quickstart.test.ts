import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const packageDir = join(__dirname, '..');

describe('README quickstart', () => {
  it('trains the shift models and prints their figures and the claim', () => {
    const out = execFileSync(process.execPath, [require.resolve('tsx/cli'), 'examples/quickstart.ts'], { cwd: packageDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toMatch(/^backend: \w+/m);
    expect(out).toMatch(/plain CNN \(max pooling\): 18010 parameters, test accuracy \d+\.\d%, median std of P\(correct\) over 64 shifts \d\.\d{4}/);
    expect(out).toMatch(/anti-aliased CNN \(max-blur pooling\): 18010 parameters, test accuracy/);
    expect(out).toMatch(/aa-lowers-shift-std: (reproduced|not reproduced|inconclusive) \(p = /);
  }, 300000);

  it('is in the README verbatim', () => {
    const code = readFileSync(join(packageDir, 'examples/quickstart.ts'), 'utf8');
    expect(readFileSync(join(packageDir, 'README.md'), 'utf8')).toContain(code.trim());
  });
});
