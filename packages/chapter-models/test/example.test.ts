import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

// The README's example, run as a user would (tsx, the package by name).
describe('examples/quickstart.ts', () => {
  it('loads both models with one call each and prints their accuracy, training command and a prediction', () => {
    const dir = path.join(__dirname, '..');
    const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'examples/quickstart.ts'], { cwd: dir, encoding: 'utf8' });
    expect(run.stderr.replace(/=+\n|Hi, looks like.*\n/g, '').trim()).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^plain CNN \(max pooling\): \d+\.\d% test accuracy, median shift std 0\.\d{3}$/m);
    expect(run.stdout).toMatch(/^anti-aliased CNN \(max-blur pooling\): \d+\.\d% test accuracy/m);
    expect(run.stdout).toMatch(/^ {2}trained with: node apps\/bench\/dist\/cli\.js .*shift.* \((chapter|reduced) protocol\)$/m);
    expect(run.stdout.match(/looks most like a (airplane|automobile|bird|cat|deer|dog|frog|horse|ship|truck) \(P = 0\.\d\d\)/g)).toHaveLength(2);
  });
});
