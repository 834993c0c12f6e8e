import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const packageDir = join(__dirname, '..');

describe('README quickstart', () => {
  it('runs and prints the parameter counts and shift figures', () => {
    const out = execFileSync(process.execPath, [require.resolve('tsx/cli'), 'examples/quickstart.ts'], { cwd: packageDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toMatch(/^backend: \w+/m);
    expect(out).toContain('plain CNN: 18010 trainable parameters');
    expect(out).toContain('anti-aliased CNN: 18010 trainable parameters');
    expect(out).toContain('ReZero ResNet: 1181222 trainable parameters');
    expect(out).toMatch(/plain CNN \(max pooling\): test accuracy \d+\.\d%, median std of P\(correct\) over 64 shifts \d\.\d{4}/);
    expect(out).toMatch(/anti-aliased CNN \(max-blur pooling\): test accuracy/);
  }, 300000);

  it('is in the README verbatim', () => {
    const code = readFileSync(join(packageDir, 'examples/quickstart.ts'), 'utf8');
    expect(readFileSync(join(packageDir, 'README.md'), 'utf8')).toContain(code.trim());
  });
});
