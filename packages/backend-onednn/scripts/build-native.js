#!/usr/bin/env node
// Install script of @aa/backend-onednn: builds the oneDNN addon with node-gyp against the system's
// oneDNN. It must never fail the installation (a failing install script of a workspace package
// fails the whole `pnpm install`): every failure is caught, written to build/status.json for
// isAvailable()/unavailableReason() to report at run time, and summed up in one printed line.
//
//   node scripts/build-native.js [--verbose]
//
// Environment: AA_ONEDNN_SKIP_BUILD=1 skips the build; DNNL_INCLUDE_DIR / DNNL_LIBRARY_DIR point at a
// oneDNN outside the default paths; AA_ONEDNN_PORTABLE=1 builds without -march=native; JOBS sets
// make's parallelism (default 2).
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const buildDir = path.join(root, 'build');
const statusFile = path.join(buildDir, 'status.json');
const logFile = path.join(buildDir, 'build.log');
const addonFile = path.join(buildDir, 'Release', 'onednn.node');
const verbose = process.argv.includes('--verbose');
const PREFIX = '@aa/backend-onednn:';

function writeStatus(status) {
  try {
    fs.mkdirSync(buildDir, { recursive: true });
    fs.writeFileSync(statusFile, JSON.stringify({ ...status, node: process.version, date: new Date().toISOString() }, null, 2) + '\n');
  } catch {
    // Nothing more we can do; the run-time loader reports the missing addon anyway.
  }
}

function fail(reason, log) {
  if (log) {
    try {
      fs.mkdirSync(buildDir, { recursive: true });
      fs.writeFileSync(logFile, log);
    } catch {
      // ignore
    }
  }
  writeStatus({ ok: false, reason });
  console.log(`${PREFIX} native oneDNN addon NOT built (${reason}); the 'onednn' backend is unavailable and tfjs uses 'cpu'.`);
}

/** Directories where dnnl.hpp may live, in the order a default compiler search would find them. */
function headerCandidates() {
  const dirs = [];
  if (process.env.DNNL_INCLUDE_DIR) dirs.push(process.env.DNNL_INCLUDE_DIR);
  if (process.env.CPATH) dirs.push(...process.env.CPATH.split(path.delimiter));
  if (process.env.CPLUS_INCLUDE_PATH) dirs.push(...process.env.CPLUS_INCLUDE_PATH.split(path.delimiter));
  dirs.push('/usr/include', '/usr/local/include', '/opt/homebrew/include', '/opt/intel/oneapi/dnnl/latest/include');
  return dirs.filter(Boolean);
}

/** The Node headers of the running node, so node-gyp never downloads them. */
function nodeDir() {
  const guess = path.resolve(process.execPath, '..', '..');
  if (fs.existsSync(path.join(guess, 'include', 'node', 'node.h'))) return guess;
  return null;
}

function main() {
  if (process.env.AA_ONEDNN_SKIP_BUILD) {
    fail('build skipped: AA_ONEDNN_SKIP_BUILD is set');
    return;
  }
  if (process.platform === 'win32') {
    fail('Windows builds are not supported (oneDNN and OpenMP via MSVC are not wired up)');
    return;
  }
  const header = headerCandidates().find((d) => fs.existsSync(path.join(d, 'dnnl.hpp')) || fs.existsSync(path.join(d, 'oneapi', 'dnnl', 'dnnl.hpp')));
  if (!header) {
    fail('oneDNN headers (dnnl.hpp) not found: install libdnnl-dev (Debian/Ubuntu: apt-get install libdnnl-dev) or set DNNL_INCLUDE_DIR and DNNL_LIBRARY_DIR');
    return;
  }
  let gyp;
  try {
    gyp = require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] });
  } catch {
    fail('node-gyp is not installed next to the package');
    return;
  }
  const args = [gyp, 'rebuild', `--jobs=${process.env.JOBS || '2'}`];
  const dir = nodeDir();
  if (dir) args.push(`--nodedir=${dir}`);
  if (verbose) args.push('--verbose');
  const res = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: 'utf8',
    stdio: verbose ? 'inherit' : 'pipe',
    timeout: 15 * 60 * 1000,
    env: { ...process.env, npm_config_nodedir: dir || process.env.npm_config_nodedir || '' },
  });
  const log = `${res.stdout || ''}\n${res.stderr || ''}`;
  if (res.error || res.status !== 0) {
    const firstError = log.split('\n').find((l) => /error|not found|No such file/i.test(l) && !/^gyp info/.test(l));
    const why = res.error ? res.error.message : `node-gyp exited with ${res.status}${firstError ? `: ${firstError.trim().slice(0, 300)}` : ''}`;
    fail(`compilation failed (${why}; full log in build/build.log)`, log);
    return;
  }
  // Load it once in a child: a missing run-time library (libdnnl.so.2, libgomp) shows up here.
  const probe = spawnSync(process.execPath, ['-e', `process.stdout.write(require(${JSON.stringify(addonFile)}).onednnVersion())`], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  if (probe.status !== 0) {
    fail(`the built addon does not load: ${(probe.stderr || '').split('\n').find((l) => l.trim()) || 'unknown error'}`, log);
    return;
  }
  try {
    fs.writeFileSync(logFile, log);
  } catch {
    // ignore
  }
  writeStatus({ ok: true, onednn: probe.stdout.trim() });
  console.log(`${PREFIX} native addon built against oneDNN ${probe.stdout.trim()}.`);
}

try {
  main();
} catch (err) {
  fail(`unexpected error: ${err && err.message ? err.message : String(err)}`);
}
process.exit(0);
