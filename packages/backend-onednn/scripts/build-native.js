#!/usr/bin/env node
// Install script of @aa/backend-onednn: builds the oneDNN addon with node-gyp against the system's
// oneDNN. It must never fail the installation (a failing install script of a workspace package
// fails the whole `pnpm install`): every failure is caught, written to build/status.json for
// isAvailable()/unavailableReason() to report at run time, and summed up in one printed line.
//
//   node scripts/build-native.js [--verbose] [--force]
//
// An addon already built from the same sources, settings and Node version is kept (every
// `pnpm install` of a workspace runs this script again); --force rebuilds it.
//
// Environment: AA_ONEDNN_SKIP_BUILD=1 skips the build; DNNL_INCLUDE_DIR / DNNL_LIBRARY_DIR point at a
// oneDNN outside the default paths; AA_ONEDNN_NATIVE_ARCH=1 compiles the package's own loops for this
// machine's CPU only (-march=native; by default they are built portably, for baseline x86-64 and, in
// a second addon loaded only on CPUs that have it, for AVX2 + FMA; oneDNN picks its instruction set at
// run time either way); JOBS sets make's parallelism (default 2).
//
// node-gyp is not a dependency: npm and pnpm hand their own to install scripts (npm_config_node_gyp,
// and node-gyp on the PATH).
'use strict';

const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const buildDir = path.join(root, 'build');
const statusFile = path.join(buildDir, 'status.json');
const logFile = path.join(buildDir, 'build.log');
const addonFile = path.join(buildDir, 'Release', 'onednn.node');
const avx2File = path.join(buildDir, 'Release', 'onednn_avx2.node');
const verbose = process.argv.includes('--verbose');
const force = process.argv.includes('--force');
const PREFIX = '@aa/backend-onednn:';

/** What the addon is built from: its sources, this script, the settings it reads and the Node version. */
function fingerprint() {
  const hash = crypto.createHash('sha256');
  const files = ['binding.gyp', 'scripts/build-native.js', ...fs.readdirSync(path.join(root, 'native')).sort().map((f) => `native/${f}`)];
  for (const file of files) hash.update(file).update(fs.readFileSync(path.join(root, file)));
  const env = ['AA_ONEDNN_NATIVE_ARCH', 'DNNL_INCLUDE_DIR', 'DNNL_LIBRARY_DIR', 'CC', 'CXX', 'CFLAGS', 'CXXFLAGS', 'LDFLAGS'];
  hash.update(JSON.stringify([process.version, process.arch, ...env.map((k) => process.env[k] || '')]));
  return hash.digest('hex');
}

/** Runs a built addon once in a child: a missing run-time library (libdnnl.so.2, libgomp) shows up here. */
function probe(file = addonFile) {
  return spawnSync(process.execPath, ['-e', `process.stdout.write(require(${JSON.stringify(file)}).onednnVersion())`], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
}

function readStatus() {
  try {
    return JSON.parse(fs.readFileSync(statusFile, 'utf8'));
  } catch {
    return null;
  }
}

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

/**
 * How to run node-gyp: the package manager's own (npm_config_node_gyp), one installed next to the
 * package (a development checkout), or the one on the PATH (npm's lifecycle scripts put it there).
 */
function findNodeGyp() {
  const given = process.env.npm_config_node_gyp;
  if (given && fs.existsSync(given)) return /\.[cm]?js$/.test(given) ? { command: process.execPath, args: [given] } : { command: given, args: [] };
  try {
    return { command: process.execPath, args: [require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] })] };
  } catch {
    // not installed here
  }
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const file = path.join(dir, 'node-gyp');
    if (dir && fs.existsSync(file)) return { command: file, args: [] };
  }
  return null;
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
  const fp = fingerprint();
  const previous = readStatus();
  if (!force && previous && previous.ok && previous.fingerprint === fp && fs.existsSync(addonFile)) {
    const loaded = probe();
    if (loaded.status === 0) {
      console.log(`${PREFIX} native addon up to date (oneDNN ${loaded.stdout.trim()}).`);
      return;
    }
  }
  const header = headerCandidates().find((d) => fs.existsSync(path.join(d, 'dnnl.hpp')) || fs.existsSync(path.join(d, 'oneapi', 'dnnl', 'dnnl.hpp')));
  if (!header) {
    fail('oneDNN headers (dnnl.hpp) not found: install libdnnl-dev (Debian/Ubuntu: apt-get install libdnnl-dev) or set DNNL_INCLUDE_DIR and DNNL_LIBRARY_DIR');
    return;
  }
  const gyp = findNodeGyp();
  if (!gyp) {
    fail('node-gyp not found (npm and pnpm provide it to install scripts; elsewhere `npm install -g node-gyp`)');
    return;
  }
  const args = [...gyp.args, 'rebuild', `--jobs=${process.env.JOBS || '2'}`];
  const dir = nodeDir();
  if (dir) args.push(`--nodedir=${dir}`);
  if (verbose) args.push('--verbose');
  const res = spawnSync(gyp.command, args, {
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
  const loaded = probe();
  if (loaded.status !== 0) {
    fail(`the built addon does not load: ${(loaded.stderr || '').split('\n').find((l) => l.trim()) || 'unknown error'}`, log);
    return;
  }
  // The AVX2 build (x86-64) is an extra: one that does not load is removed, and the baseline serves.
  let avx2 = 'not built';
  if (fs.existsSync(avx2File)) {
    const extra = probe(avx2File);
    avx2 = extra.status === 0 ? 'built' : `removed, it did not load: ${(extra.stderr || '').split('\n').find((l) => l.trim()) || 'unknown error'}`;
    if (extra.status !== 0) fs.rmSync(avx2File, { force: true });
  }
  try {
    fs.writeFileSync(logFile, log);
  } catch {
    // ignore
  }
  writeStatus({ ok: true, onednn: loaded.stdout.trim(), avx2, fingerprint: fp });
  console.log(`${PREFIX} native addon built against oneDNN ${loaded.stdout.trim()}.`);
}

try {
  main();
} catch (err) {
  fail(`unexpected error: ${err && err.message ? err.message : String(err)}`);
}
process.exit(0);
