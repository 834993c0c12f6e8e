// Runs every package's jest suite through turbo and closes with one summary line
// ("tests: N passed, N failed") added up from each suite's "Tests:" line.
import { spawn } from 'node:child_process';

const child = spawn('pnpm', ['exec', 'turbo', 'run', 'test', '--output-logs=full', ...process.argv.slice(2)], {
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', FORCE_COLOR: '0' },
});

const totals = { runs: 0, passed: 0, failed: 0 };

/** Echoes a stream and counts jest's "Tests: ..." summary lines in it. */
function scanner(sink) {
  let pending = '';
  return (chunk) => {
    sink.write(chunk);
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const summary = /Tests:\s+(.*\d+ total)/.exec(line)?.[1];
      if (!summary) continue;
      totals.runs += 1;
      totals.passed += Number(/(\d+) passed/.exec(summary)?.[1] ?? 0);
      totals.failed += Number(/(\d+) failed/.exec(summary)?.[1] ?? 0);
    }
  };
}

child.stdout.on('data', scanner(process.stdout));
child.stderr.on('data', scanner(process.stderr));
child.on('close', (code) => {
  console.log(`\n${totals.runs} jest runs`);
  console.log(`tests: ${totals.passed} passed, ${totals.failed} failed`);
  process.exit(code ?? 1);
});
