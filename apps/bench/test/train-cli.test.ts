import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PNG } from 'pngjs';

const appDir = join(__dirname, '..');
const tsx = require.resolve('tsx/cli');
const run = (args: string[]) => spawnSync(process.execPath, [tsx, 'src/cli.ts', ...args], { cwd: appDir, encoding: 'utf8' });
const UNREACHABLE = 'http://127.0.0.1:9/cifar-10-binary.tar.gz';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const results = (dir: string): Json => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
/** A run's records without the wall-clock fields, which differ from run to run. */
const withoutTimes = (records: Json[]) => records.map(({ totalTime, epochTime, ...rest }) => (void totalTime, void epochTime, rest));

describe('training experiments through the CLI (smoke sizes)', () => {
  const root = mkdtempSync(join(tmpdir(), 'aa-bench-train-'));
  const out = join(root, 'run');
  const cache = join(root, 'cache');
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const tiny = ['--preset', 'smoke', '--train-size', '64', '--test-size', '16', '--batch-size', '32', '--cache-dir', cache, '--data-url', UNREACHABLE];

  it('shift: offline, falls back to the embedded subset with one line, writes results with claims, CSV, figures and the report', () => {
    const r = run(['--out', out, 'shift', ...tiny]);
    expect(r.stderr).not.toMatch(/aa-bench: /);
    expect(r.status).toBe(0);
    expect(r.stderr.match(/running on the embedded subset/g)).toHaveLength(1);
    // Counts agree with their nouns.
    expect(r.stderr).toMatch(/plan: shift: 1 epoch, 1 seed \(0\)/);
    expect(r.stderr).toMatch(/training plain CNN \(max pooling\), 1 epoch on 64 images/);
    expect(r.stderr).not.toMatch(/\b1 (epochs|seeds)\b/);
    // The result path on stdout, progress on stderr.
    expect(r.stdout.trim()).toBe(join(out, 'report.html'));
    for (const f of ['results.json', 'shift.csv', 'shift-accuracy.svg', 'shift-probability.svg', 'shift-grid-plain.png', 'shift-grid-aa.png', 'report.md', 'report.html']) {
      expect(existsSync(join(out, f))).toBe(true);
    }
    const res = results(out);
    expect(res).toMatchObject({ format: 2, command: 'shift', data: { embedded: true, trainSize: 64, testSize: 16 }, settings: { batchSize: 32, plans: { shift: { epochs: 1, seeds: [0] } } } });
    const shift = res.experiments.shift;
    expect(shift.models.map((m: Json) => m.key)).toEqual(['plain', 'aa']);
    for (const m of shift.models) {
      expect(m.params).toBe(18010);
      const r0 = m.runs[0];
      expect(r0.records).toHaveLength(1);
      expect(r0.testCorrect).toMatch(/^[01]{16}$/);
      expect(r0.shift.perImageStd).toHaveLength(16);
      expect(r0.shift.imageProbabilities).toHaveLength(64);
    }
    expect(res.claims.map((c: Json) => c.id)).toEqual(['aa-lowers-shift-std', 'aa-raises-accuracy']);
    for (const c of res.claims) {
      expect(['reproduced', 'not reproduced', 'inconclusive']).toContain(c.verdict);
      expect(c).toHaveProperty('pValue');
      expect(c.evidence.length).toBeGreaterThan(0);
    }
    const csv = readFileSync(join(out, 'shift.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('model,seed,epoch,total time,train loss,test loss,train Accuracy,test Accuracy,epoch time,lr');
    expect(csv.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['plain,0', 'aa,0']);
    const grid = PNG.sync.read(readFileSync(join(out, 'shift-grid-plain.png')));
    expect(grid.width).toBe(8 * 72 + 9 * 4);
    // The CNNs' final weights are kept as small model files; the checkpoints are gone.
    expect(readdirSync(join(out, 'models')).sort()).toEqual(['shift-aa-seed0', 'shift-plain-seed0']);
    expect(existsSync(join(out, 'checkpoints'))).toBe(false);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/^# aa-bench report[\s\S]*This run reproduced \d of the 2 findings it tested/);
    expect(md).toContain('**Run on the embedded subset**');
  });

  it('--seed makes a run reproducible: the same command gives the same records', () => {
    const again = join(root, 'again');
    const r = run(['--out', again, 'shift', ...tiny]);
    expect(r.status).toBe(0);
    const a = results(out).experiments.shift.models;
    const b = results(again).experiments.shift.models;
    for (let i = 0; i < 2; i++) {
      expect(withoutTimes(b[i].runs[0].records)).toEqual(withoutTimes(a[i].runs[0].records));
      expect(b[i].runs[0].testCorrect).toBe(a[i].runs[0].testCorrect);
      expect(b[i].runs[0].shift.perImageStd).toEqual(a[i].runs[0].shift.perImageStd);
    }
    const other = join(root, 'other-seed');
    expect(run(['--out', other, 'shift', ...tiny, '--seed', '1']).status).toBe(0);
    expect(withoutTimes(results(other).experiments.shift.models[0].runs[0].records)).not.toEqual(withoutTimes(a[0].runs[0].records));
  });

  it('refuses to overwrite another run, and a resume with other settings, naming them', () => {
    const over = run(['--out', out, 'shift', ...tiny]);
    expect(over.status).not.toBe(0);
    expect(over.stderr).toMatch(/--out .* holds another run \(aa-bench shift, started .*\); pass --resume to continue it, or choose another --out/);
    const changed = run(['--out', out, 'shift', ...tiny, '--epochs', '2', '--seed', '3', '--resume']);
    expect(changed.status).not.toBe(0);
    expect(changed.stderr).toMatch(/--resume: the run in .* used other settings: seed \(0 before, 3 now\); shift epochs \(1 before, 2 now\); shift seeds \(0 before, 3 now\)/);
  });

  it('--resume with the same settings reuses the finished models; on an empty folder it starts fresh', () => {
    const same = run(['--out', out, 'shift', ...tiny, '--resume']);
    expect(same.status).toBe(0);
    expect(same.stderr).toMatch(/shift\/plain seed 0: finished in the earlier run, reused/);
    expect(same.stderr).not.toMatch(/shift\/plain: epoch 1\/1/);
    const fresh = run(['--out', join(root, 'fresh'), 'shift', ...tiny, '--resume']);
    expect(fresh.status).toBe(0);
    expect(fresh.stderr).toMatch(/--resume: nothing to resume in .*fresh; starting fresh/);
  });

  it('residual: a tiny run of the CNN, ResNet and ReZero ResNet', () => {
    const dir = join(root, 'residual');
    const r = run(['--out', dir, 'residual', '--subset', '--preset', 'smoke', '--train-size', '16', '--test-size', '8', '--batch-size', '16']);
    expect(r.status).toBe(0);
    const res = results(dir);
    expect(res.experiments.residual.models.map((m: Json) => [m.key, m.params])).toEqual([
      ['cnn', 18010],
      ['resnet', 1181194],
      ['rezero', 1181222],
    ]);
    expect(res.claims.map((c: Json) => c.id)).toEqual(['rezero-beats-resnet']);
    for (const f of ['residual.csv', 'residual-accuracy.svg', 'residual-time.svg']) expect(existsSync(join(dir, f))).toBe(true);
  }, 600000);

  it('exercises --only 2 runs exercise 2 alone', () => {
    const dir = join(root, 'exercise2');
    const r = run(['--out', dir, 'exercises', '--only', '2', '--subset', '--preset', 'smoke', '--train-size', '16', '--test-size', '8', '--batch-size', '16']);
    expect(r.status).toBe(0);
    const res = results(dir);
    expect(Object.keys(res.experiments)).toEqual(['exercise2']);
    expect(res.experiments.exercise2.models.map((m: Json) => [m.key, m.params])).toEqual([
      ['strided', 18010],
      ['aa_strided', 18010],
      ['avg', 18010],
      ['blurpool', 18010],
    ]);
  }, 600000);

  it.each([
    [['exercises', '--only', '1,4'], /--only must be a comma-separated list of exercise numbers \(2, 3, 4, 5, 6\), got '1,4'/],
    [['shift', '--preset', 'huge'], /--preset must be one of auto, chapter, quick, smoke, got 'huge'/],
    [['shift', '--epochs', '0'], /--epochs must be a positive integer, got '0'/],
    [['shift', '--train-size', '60000', '--subset'], /--train-size must be at most 50000/],
    [['shift', '--data-dir', '/nowhere', '--preset', 'smoke'], /nowhere/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('fails clearly on %p', (args, message) => {
    const r = run(['--out', join(root, 'bad'), ...args]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/running on the embedded subset/);
  });

  it('fails fast on an --out under /proc', () => {
    const r = run(['--out', '/proc/x', 'aliasing', '--size', '64']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--out must be a folder on a real file system, got '\/proc\/x'/);
  });

  it('on a backend too slow for the budget, stops with the estimate and the advice instead of starting', () => {
    const r = run(['--backend', 'cpu', '--out', join(root, 'slow'), 'chapter', '--subset', '--dry-run']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/no size that can show the chapter's findings fits 15 min on the cpu backend: even 1,000 images × 5 epochs would take about .*Install oneDNN \(apt-get install libdnnl-dev/);
    expect(existsSync(join(root, 'slow', 'results.json'))).toBe(false);
  });

  it('--dry-run prints the plan and the estimate within the budget, and trains nothing', () => {
    const r = run(['--out', join(root, 'dry'), 'chapter', '--subset', '--dry-run', '--budget', '10']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/size: sized to finish in about 10 min on this backend .*: estimated (\d+ s|\d+ min)/);
    expect(r.stderr).toMatch(/plan: shift: \d+ epochs?, \d+ seeds? \(0/);
    // The epoch count follows the measured speed (one epoch on a busy machine).
    expect(r.stderr).toMatch(/plan: residual: \d+ epochs?, 1 seed \(0\)/);
    expect(existsSync(join(root, 'dry', 'results.json'))).toBe(false);
  });

  it('Ctrl-C says how to resume', async () => {
    // tsx's loader in the same process (`node --import tsx`), so the signal reaches the CLI itself.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--out', join(root, 'interrupted'), 'residual', '--subset', '--preset', 'smoke', '--train-size', '64', '--test-size', '16', '--batch-size', '16'], { cwd: appDir });
    let stderr = '';
    const exit = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/training ResNet/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    expect(await exit).toBe(130);
    expect(stderr).toMatch(/interrupted; to continue: aa-bench --out \S*interrupted residual --subset --preset smoke --train-size 64 --test-size 16 --batch-size 16 --resume\n/);
  }, 300000);

  it('help lists the global options and only the options each command uses', () => {
    const shift = run(['shift', '--help']).stdout;
    expect(shift).toMatch(/--out <dir>/);
    expect(shift).toMatch(/--backend <name>/);
    expect(shift).toMatch(/--image-id <n>/);
    expect(shift).toMatch(/--seeds <n>/);
    expect(run(['residual', '--help']).stdout).not.toMatch(/--image-id/);
  });
});
