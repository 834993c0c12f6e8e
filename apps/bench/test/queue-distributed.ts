/**
 * The distributed path end to end, on a real Redis: a queue run of the shift experiment (3 seeds, so 6 jobs, smoke
 * sizes on the embedded subset, onednn) served by a worker on the wrong backend (which must refuse and give its job
 * back) and then by 3 workers, one of which is SIGKILLed mid-job after it wrote a checkpoint. It checks that the job is
 * retried from that checkpoint on another worker, that no job is lost or published twice, that submitting again adds
 * nothing, and that the merged results equal an in-process run of the same seeds exactly (accuracies, losses,
 * per-image correctness, shift figures). Fails loudly (exit 1) on any difference, and without Redis.
 *
 *   pnpm --filter @aa/bench build && pnpm --filter @aa/bench test:queue
 *
 * Redis: AA_TEST_REDIS_URL (what .ci/run starts), else a redis-server started here on a free loopback port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Queue } from 'bullmq';

import { queueJobId, runFolderHash } from '../src/jobs/names';
import { checkRedis, parseQueueUrl, QUEUE_NAME, redisOptions } from '../src/jobs/redis';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const cli = join(__dirname, '..', 'dist', 'cli.js');
const SEEDS = 3;
const WORKERS = 3;
/**
 * The workers' lock: a killed worker's job is back in the queue at most this long (plus a stalled check) after the
 * kill. It must exceed the longest stretch a live worker holds its event loop: a worker's first job of a run loads the
 * data (the embedded subset: 0.8 s on an idle core, 3 to 7 s with 3 workers, a submitter and other work on it), or
 * live workers' jobs are taken for dead ones.
 */
const LOCK_SECONDS = 20;
const WORKER_ARGS = ['--lock-seconds', String(LOCK_SECONDS), '--stalled-seconds', '1'];
const RUN_ARGS = ['shift', '--subset', '--preset', 'smoke', '--train-size', '1536', '--test-size', '128', '--batch-size', '64', '--epochs', '3', '--seeds', String(SEEDS)];
const MODELS = ['plain', 'aa'];
const JOBS = MODELS.length * SEEDS;
// One OpenMP thread everywhere: the same arithmetic in every process, and no oversubscription of a small machine.
const env = { ...process.env, OMP_NUM_THREADS: '1' };

let passed = 0;
const failures: string[] = [];
function check(what: string, ok: boolean, detail = ''): void {
  if (ok) passed++;
  else failures.push(`${what}${detail ? `: ${detail}` : ''}`);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${!ok && detail ? ` (${detail})` : ''}`);
}

/** A child of the CLI whose stderr is kept (and its lines handed to `onLine`). */
interface Proc {
  child: ChildProcess;
  stderr: string;
  exit: Promise<number | null>;
}
function start(args: string[], onLine?: (line: string) => void): Proc {
  const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const p: Proc = { child, stderr: '', exit: new Promise((done) => child.on('exit', (code, signal) => done(code ?? (signal ? -1 : null)))) };
  let partial = '';
  child.stderr?.on('data', (d: Buffer) => {
    p.stderr += d.toString();
    partial += d.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) onLine?.(l);
  });
  child.stdout?.resume();
  return p;
}

async function finished(p: Proc, what: string, timeoutMs: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((done) => (timer = setTimeout(() => done('timeout'), timeoutMs)));
  const r = await Promise.race([p.exit, timeout]);
  clearTimeout(timer);
  if (r === 'timeout') {
    p.child.kill('SIGKILL');
    throw new Error(`${what} did not finish within ${timeoutMs / 1000} s; its stderr:\n${p.stderr.slice(-4000)}`);
  }
  return r;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** The Redis to use, and how to stop it if it was started here. */
async function redis(): Promise<{ url: string; stop: () => void }> {
  const given = process.env.AA_TEST_REDIS_URL;
  if (given) {
    await checkRedis(parseQueueUrl(given));
    return { url: given, stop: () => undefined };
  }
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const spawned = await new Promise<Error | null>((done) => {
    server.once('error', done);
    server.once('spawn', () => done(null));
  });
  if (spawned) throw new Error(`no AA_TEST_REDIS_URL and redis-server cannot be started (${spawned.message}): apt-get install -y redis-server`);
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      await checkRedis(parseQueueUrl(url), 1000);
      break;
    } catch (err) {
      if (i > 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { url, stop: () => server.kill('SIGTERM') };
}

/** A run as numbers only: what must not depend on where or in how many processes it trained. */
function numbers(run: Json): Json {
  const { imagesPerSecond, worker, records, ...rest } = run;
  void imagesPerSecond;
  void worker;
  return { ...rest, records: (records as Json[]).map(({ totalTime, epochTime, ...r }) => (void totalTime, void epochTime, r)) };
}

async function main(): Promise<void> {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run pnpm --filter @aa/bench build first`);
  const root = mkdtempSync(join(tmpdir(), 'aa-bench-queue-'));
  const { url, stop: stopRedis } = await redis();
  const workers: Proc[] = [];
  const t0 = performance.now();
  try {
    console.log(`queue test: Redis ${url}, run folder ${root}`);

    // The reference: the same seeds in one process, in-process jobs.
    const tRef = performance.now();
    const reference = start(['--backend', 'onednn', '--out', join(root, 'reference'), ...RUN_ARGS]);
    check('in-process reference run exits 0', (await finished(reference, 'the reference run', 600_000)) === 0, reference.stderr.slice(-2000));
    const refSeconds = (performance.now() - tRef) / 1000;

    // Submit first: the jobs wait in the queue until workers come.
    const out = join(root, 'queue');
    const tQueue = performance.now();
    const submitter = start(['--backend', 'onednn', '--out', out, ...RUN_ARGS, '--queue', url]);
    for (let i = 0; !existsSync(join(out, 'jobs.json')) || !/queue: \d+ jobs/.test(submitter.stderr); i++) {
      if (i > 600) throw new Error(`the submitter did not submit within 60 s:\n${submitter.stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    check(`submitter adds the ${JOBS} jobs`, new RegExp(`queue: ${JOBS} jobs on .*: ${JOBS} added, 0 already queued`).test(submitter.stderr), submitter.stderr);

    // A worker on another backend takes a job, refuses it loudly, gives it back and stops.
    const wrong = start(['--backend', 'cpu', 'worker', '--queue', url, ...WORKER_ARGS]);
    const wrongExit = await finished(wrong, 'the cpu worker', 120_000);
    check(
      'a worker on another backend refuses the run and exits non-zero',
      wrongExit !== 0 && /cannot train the jobs of .*: backend cpu here, onednn in the run \(start the worker with --backend onednn\)/.test(wrong.stderr),
      `exit ${wrongExit}: ${wrong.stderr.slice(-1500)}`,
    );

    // Three workers. The first one seen mid-job with a checkpoint written is SIGKILLed; the next one seen so (another
    // job) gets SIGTERM, gives its job back and exits; a fourth worker then joins.
    const holding = new Map<number, string | null>();
    type Event = { pid: number; job: string; checkpoint: string; at: number };
    let killed: Event | null = null;
    let stopped: (Event & { worker: Proc }) | null = null;
    const addWorker = () => {
      const w: Proc = start(['--backend', 'onednn', 'worker', '--queue', url, ...WORKER_ARGS], (line) => {
        const pid = w.child.pid as number;
        const started = /^job (\S+): started on \S+:(\d+)/.exec(line);
        if (started) holding.set(pid, started[1] as string);
        if (/^job \S+: (finished|already finished)/.test(line)) holding.set(pid, null);
      });
      workers.push(w);
    };
    for (let i = 0; i < WORKERS; i++) addWorker();
    const submitterExit = (async () => finished(submitter, 'the submitter', 900_000))();
    let done = false;
    void submitterExit.then(() => (done = true));
    while (!done && !stopped) {
      for (const w of [...workers]) {
        const pid = w.child.pid as number;
        const job = holding.get(pid);
        if (!job || stopped || job === (killed as Event | null)?.job || w.child.exitCode !== null || w.child.signalCode !== null) continue;
        const pointer = join(out, 'checkpoints', job, 'checkpoint.json');
        if (!existsSync(pointer) || existsSync(join(out, 'runs', `${job}.json`))) continue;
        const checkpoint = (JSON.parse(readFileSync(pointer, 'utf8')) as { latest: string }).latest;
        if (!killed) {
          w.child.kill('SIGKILL');
          killed = { pid, job, checkpoint, at: performance.now() };
          console.log(`queue test: SIGKILLed worker ${pid} while it trained ${job} (latest checkpoint ${checkpoint})`);
        } else {
          w.child.kill('SIGTERM');
          stopped = { pid, job, checkpoint, at: performance.now(), worker: w };
          console.log(`queue test: sent SIGTERM to worker ${pid} while it trained ${job} (latest checkpoint ${checkpoint})`);
          addWorker();
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const exit = await submitterExit;
    const queueSeconds = (performance.now() - tQueue) / 1000;
    check('the submitter waits for every job and merges them (exit 0)', exit === 0, submitter.stderr.slice(-3000));
    check('a worker was killed mid-job after writing a checkpoint', killed !== null);
    check('another was stopped with SIGTERM mid-job', stopped !== null);

    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Json;
    const expected = JSON.parse(readFileSync(join(root, 'reference', 'results.json'), 'utf8')) as Json;
    const runs = (r: Json): Json[] => (r.experiments.shift.models as Json[]).flatMap((m) => m.runs as Json[]);
    const got = runs(results);
    check(`the merged results hold ${JOBS} runs`, got.length === JOBS, String(got.length));
    const diffs = runs(expected).filter((ref, i) => JSON.stringify(numbers(ref)) !== JSON.stringify(numbers(got[i] ?? {})));
    check('the merged runs equal the in-process runs exactly (losses, accuracies, per-image correctness, shift figures)', diffs.length === 0, diffs.map((d) => `${d.key} seed ${d.seed}`).join(', '));
    check('the claims are the same', JSON.stringify(results.claims) === JSON.stringify(expected.claims));
    check('every run records its worker (host, pid, onednn, versions, code)', got.every((r) => r.worker?.backend === 'onednn' && r.worker.pid > 0 && r.worker.code && r.worker.packages['@aa/train-loop']));

    let retrySeconds = Number.NaN;
    const stopRecord = stopped ? got.find((r) => `shift-${r.key}-seed${r.seed}` === stopped?.job) : undefined;
    const stoppedSeconds = stopped && stopRecord ? (Date.parse(stopRecord.worker.startedAt) - (performance.timeOrigin + stopped.at)) / 1000 : Number.NaN;
    if (killed) {
      const k = killed;
      const record = got.find((r) => `shift-${r.key}-seed${r.seed}` === k.job) as Json | undefined;
      const epochSeen = Number(/^epoch-(\d+)/.exec(k.checkpoint)?.[1] ?? -1) + 2;
      check(
        `the killed job ${k.job} was retried on another worker from its checkpoint`,
        !!record && record.worker.pid !== k.pid && record.worker.attempt >= 2 && record.worker.resumedFromEpoch >= epochSeen,
        JSON.stringify(record?.worker),
      );
      const retried = workers.find((w) => w.child.pid === record?.worker.pid);
      retrySeconds = (Date.parse(record?.worker.startedAt ?? '') - (performance.timeOrigin + k.at)) / 1000;
      check('the retry resumed the checkpoint (log line)', !!retried && new RegExp(`resuming shift/${k.job.split('-')[1]} seed \\d+ from epoch ${record?.worker.resumedFromEpoch}`).test(retried.stderr));
      check('the submitter saw the job go back to the queue', new RegExp(`job ${k.job}: back in the queue`).test(submitter.stderr), submitter.stderr.slice(-2000));
    }
    if (stopped) {
      const t = stopped;
      const code = await finished(t.worker, 'the stopped worker', 60_000);
      const record = got.find((r) => `shift-${r.key}-seed${r.seed}` === t.job) as Json | undefined;
      check('a worker stopped with SIGTERM gives its job back at once and exits 143', code === 143 && new RegExp(`job ${t.job}: given back to the queue`).test(t.worker.stderr), `exit ${code}: ${t.worker.stderr.slice(-800)}`);
      check(`its job ${t.job} went on elsewhere from its checkpoint`, !!record && record.worker.pid !== t.pid && record.worker.resumedFromEpoch >= 2, JSON.stringify(record?.worker));
    }

    // None completed twice: one published record per job, across every worker's log.
    const logs = workers.map((w) => w.stderr).join('\n');
    const publishedLines = logs.match(/^job \S+: finished \(attempt \d+;/gm) ?? [];
    const perJob = new Map<string, number>();
    for (const l of publishedLines) perJob.set(l.split(' ')[1] as string, (perJob.get(l.split(' ')[1] as string) ?? 0) + 1);
    check(`each of the ${JOBS} jobs was published exactly once`, perJob.size === JOBS && [...perJob.values()].every((n) => n === 1), JSON.stringify([...perJob]));
    check('no worker trained a job another had published', !/another worker published it first/.test(logs));
    const held = [...logs.matchAll(/held up to ([\d.]+) s/g)].map((m) => Number(m[1]));
    console.log(`queue test: the workers' event loops were held up to ${Math.max(...held).toFixed(1)} s at a time (lock ${LOCK_SECONDS} s)`);

    // Submitting again adds nothing and changes nothing.
    const again = start(['--backend', 'onednn', '--out', out, ...RUN_ARGS, '--queue', url, '--resume']);
    check('re-submitting with --resume exits 0', (await finished(again, 're-submission', 300_000)) === 0, again.stderr.slice(-2000));
    check('re-submitting adds no job', new RegExp(`queue: ${JOBS} jobs on .*: 0 added, 0 already queued, 0 failed ones retried, ${JOBS} finished before`).test(again.stderr), again.stderr);
    const queue = new Queue(QUEUE_NAME, { connection: redisOptions(parseQueueUrl(url)) });
    try {
      const prefix = `aa-${runFolderHash(out)}-`;
      const all = (await queue.getJobs(['completed', 'failed', 'waiting', 'active', 'delayed', 'prioritized'])).filter((j) => j.id?.startsWith(prefix));
      const completed = (await queue.getJobs(['completed'])).filter((j) => j.id?.startsWith(prefix));
      check(`the queue holds exactly ${JOBS} jobs of the run, all completed`, all.length === JOBS && completed.length === JOBS, `${all.length} jobs, ${completed.length} completed`);
      const ids = MODELS.flatMap((model) => Array.from({ length: SEEDS }, (_, seed) => queueJobId(out, { experiment: 'shift', model, seed })));
      check('their ids are the deterministic ones', ids.every((id) => all.some((j) => j.id === id)));
      const byWorker = new Map<string, number>();
      for (const r of got) byWorker.set(`${r.worker.hostname}:${r.worker.pid}`, (byWorker.get(`${r.worker.hostname}:${r.worker.pid}`) ?? 0) + 1);
      const starts = all.reduce((s, j) => s + j.attemptsStarted, 0);
      const stalls = all.reduce((s, j) => s + j.stalledCounter, 0);
      check("only the killed worker's job was recovered as stalled (the stopped one's was given back)", stalls === 1, `${stalls} stalled recoveries: ${all.map((j) => `${j.id} ${j.stalledCounter}`).join(', ')}`);
      console.log(
        `queue test figures: reference (in-process) ${refSeconds.toFixed(1)} s; queue run ${queueSeconds.toFixed(1)} s with ${WORKERS} workers; ` +
          `${JOBS} jobs, ${starts} starts in all (the refused, killed and stopped ones included), ${stalls} stalled recovery; jobs per worker ${JSON.stringify(Object.fromEntries(byWorker))}; ` +
          (killed ? `killed worker ${killed.pid} in ${killed.job} after ${killed.checkpoint}; another worker resumed it ${retrySeconds.toFixed(1)} s later` : 'no kill') +
          (stopped ? `; stopped worker ${stopped.pid} in ${stopped.job}; another worker resumed it ${stoppedSeconds.toFixed(1)} s later` : ''),
      );
    } finally {
      await queue.close();
    }
  } finally {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => finished(w, 'a worker', 30_000).catch(() => undefined)));
    stopRedis();
    if (failures.length === 0) rmSync(root, { recursive: true, force: true });
    else console.log(`queue test: kept ${root} for inspection`);
  }
  console.log(`queue test: ${((performance.now() - t0) / 1000).toFixed(1)} s in all`);
}

main()
  .catch((err: unknown) => {
    failures.push(err instanceof Error ? err.message : String(err));
    console.log(`FAIL ${err instanceof Error ? err.message : String(err)}`);
  })
  .finally(() => {
    console.log(`queue-distributed: ${passed} passed, ${failures.length} failed`);
    process.exit(failures.length ? 1 : 0);
  });
