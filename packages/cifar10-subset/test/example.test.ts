import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const packageDir = path.resolve(__dirname, '..');

describe('examples/read-pack.ts (the README example)', () => {
  it('runs and prints the counts and the first images', () => {
    const out = execFileSync(process.execPath, [require.resolve('tsx/cli'), 'examples/read-pack.ts'], { cwd: packageDir, encoding: 'utf8' });
    expect(out).toMatch(/^train: 10000 images \(1000\/1000\/1000\/1000\/1000\/1000\/1000\/1000\/1000\/1000 per class\), 9\.2 MB of JPEG$/m);
    expect(out).toMatch(/^test: 2500 images \(250\/250\/250\/250\/250\/250\/250\/250\/250\/250 per class\), 2\.3 MB of JPEG$/m);
    // Image 0 of each split is source image 0 (test/fixtures/source-check.json): label 3 in train, 9 in test.
    expect(out).toMatch(/^train: .*\n {2}image 0: cat, a JPEG of \d+ bytes starting ffd8$/m);
    expect(out).toMatch(/^test: .*\n {2}image 0: truck, a JPEG of \d+ bytes starting ffd8$/m);
  });

  it('is quoted verbatim in README.md', () => {
    const code = fs.readFileSync(path.join(packageDir, 'examples', 'read-pack.ts'), 'utf8');
    const readme = fs.readFileSync(path.join(packageDir, 'README.md'), 'utf8');
    expect(readme).toContain(code.trim());
  });
});
