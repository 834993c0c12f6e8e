#!/usr/bin/env bash
# Installs every built, packed @aa library into a fresh npm project next to @tensorflow/tfjs-node, as a
# user would, and checks that the project ends with ONE copy of tfjs: layer and optimizer classes
# register per copy, so a second copy would make saved models fail to load.
# Installed with --ignore-scripts: tfjs-node's install script downloads libtensorflow (not reachable from
# every machine) and @aa/backend-onednn's compiles its addon; neither is needed to check the tree.
# A second project then installs @tensorflow/tfjs and the packed backend as a user would (install
# script included, with npm's own node-gyp) and trains a small conv model on 'onednn' (skipped, with
# a message, where oneDNN is not installed).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
libs=(blur rezero mixup cifar-data cifar10-subset train-loop chapter-models backend-onednn)

pnpm --dir "$root" exec turbo run build $(printf -- '--filter=@aa/%s ' "${libs[@]}") --output-logs=errors-only >/dev/null
for lib in "${libs[@]}"; do
  pnpm --dir "$root/packages/$lib" pack --pack-destination "$work" >/dev/null
done

mkdir "$work/app" && cd "$work/app"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts --loglevel=error "$work"/aa-*.tgz @tensorflow/tfjs-node@4.22.0 >/dev/null
echo "installed: $(npm ls --depth=0 2>/dev/null | tail -n +2 | sed 's/^[^@]*//' | tr '\n' ' ')"

cat > check.cjs <<'JS'
const path = require('path');
const fs = require('fs');
const fail = (msg) => { console.error('consumer check FAILED: ' + msg); process.exit(1); };
const libs = ["@aa/blur", "@aa/rezero", "@aa/mixup", "@aa/cifar-data", "@aa/cifar10-subset", "@aa/train-loop", "@aa/chapter-models", "@aa/backend-onednn"];
// Every installed copy of the tfjs packages that register classes or kernels.
const copies = {};
(function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const full = path.join(dir, entry.name);
    if (entry.name === 'node_modules' || entry.name.startsWith('@')) { walk(full); continue; }
    const pkg = path.join(full, 'package.json');
    if (fs.existsSync(pkg)) {
      const { name, version } = JSON.parse(fs.readFileSync(pkg, 'utf8'));
      if (/^@tensorflow\/tfjs(-core|-layers|-backend-cpu)?$/.test(name)) (copies[name] ??= []).push(`${version} at ${full}`);
      if (fs.existsSync(path.join(full, 'node_modules'))) walk(path.join(full, 'node_modules'));
    }
  }
})(path.join(__dirname, 'node_modules'));
for (const name of ['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu']) {
  const found = copies[name] ?? [];
  console.log(`${name}: ${found.length} copy (${found.join('; ')})`);
  if (found.length !== 1) fail(`expected exactly one copy of ${name}`);
}
// The tfjs every @aa package imports is the one tfjs-node re-exports.
const fromNode = require.resolve('@tensorflow/tfjs', { paths: [path.dirname(require.resolve('@tensorflow/tfjs-node/package.json'))] });
for (const lib of libs) {
  const fromLib = require.resolve('@tensorflow/tfjs', { paths: [path.dirname(require.resolve(lib))] });
  if (fromLib !== fromNode) fail(`${lib} resolves ${fromLib}, tfjs-node resolves ${fromNode}`);
}
const tf = require('@tensorflow/tfjs');
const { MaxBlurPool2D, BlurPool } = require('@aa/blur');
const { residualBlock } = require('@aa/rezero');
const { AdamW } = require('@aa/train-loop');
require('@aa/mixup');
require('@aa/cifar-data');
// Installed without its install script here, so its addon is absent: it must load and say so, not throw.
const onednn = require('@aa/backend-onednn');
if (onednn.isAvailable() || !onednn.unavailableReason()) fail('@aa/backend-onednn without its addon must report itself unavailable with a reason');
if (!/install script did not run/.test(onednn.unavailableReason()) || !/pnpm approve-builds/.test(onednn.unavailableFix() ?? '')) {
  fail(`@aa/backend-onednn should say its install script did not run and how to allow it, says: ${onednn.unavailableReason()} / ${onednn.unavailableFix()}`);
}
const registered = tf.serialization.SerializationMap.getMap().classNameMap;
for (const name of ['MaxBlurPool2D', 'BlurPool', 'ReZero', 'AdamW']) if (!registered[name]) fail(`${name} is not registered in the user's tfjs`);
(async () => {
  // The import registered 'onednn' as a stand-in: selecting it fails with tfjs's warning carrying the reason and the fix.
  const warnings = [];
  const warn = console.warn;
  console.warn = (...args) => warnings.push(args.join(' '));
  const selected = await tf.setBackend('onednn');
  console.warn = warn;
  if (selected !== false || !warnings.join('\n').includes("the 'onednn' backend is unavailable: native addon not built") || !warnings.join('\n').includes('To fix:')) {
    fail(`tf.setBackend('onednn') without the addon must fail saying why and how to fix it; got ${selected}, warnings: ${warnings.join(' | ')}`);
  }
  await tf.setBackend('cpu');
  // A model holding layers of two packages, trained one step with AdamW, saves and loads in the user's tfjs.
  const input = tf.input({ shape: [8, 8, 2] });
  let x = new MaxBlurPool2D().apply(input);
  x = residualBlock(x, { channels: 4, rezero: true });
  x = new BlurPool().apply(x);
  const model = tf.model({ inputs: input, outputs: tf.layers.globalAveragePooling2d({}).apply(x) });
  const opt = new AdamW();
  opt.minimize(() => tf.mean(tf.square(model.apply(tf.randomUniform([2, 8, 8, 2]), { training: true }))));
  let artifacts;
  await model.save(tf.io.withSaveHandler(async (a) => { artifacts = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  const probe = tf.randomUniform([1, 8, 8, 2]);
  const diff = tf.max(tf.abs(tf.sub(model.predict(probe), loaded.predict(probe)))).dataSync()[0];
  if (diff !== 0) fail(`loaded model differs by ${diff}`);
  // The embedded CIFAR-10 subset loads through @aa/cifar-data from the installed tarball (sizes and SHA-256 checked).
  const { cifar10Subset } = require('@aa/cifar10-subset');
  const subset = await require('@aa/cifar-data').loadCifar10({ pack: cifar10Subset });
  if (subset.train.count !== 10000 || subset.test.count !== 2500) fail(`the subset loaded ${subset.train.count}/${subset.test.count} images`);
  // A pretrained chapter CNN loads with one call from the installed package (its layers come from @aa/blur).
  const aa = await require('@aa/chapter-models').loadChapterCnn('aa');
  const logits = aa.predict(tf.zeros([1, 24, 24, 3]));
  if (logits.shape.join() !== '1,10') fail(`the anti-aliased chapter CNN gave shape [${logits.shape}]`);
  // ES module entries resolve too.
  for (const lib of libs) {
    const esm = await import(lib);
    if (Object.keys(esm).filter((k) => k !== "default").length < 1) fail(`${lib}: ESM entry exports nothing`);
  }
  console.log(`consumer check passed: one tfjs ${tf.version.tfjs} shared by tfjs-node and ${libs.join(', ')}; classes registered; a model saved and loaded (CJS + ESM entries); the CIFAR-10 subset and a pretrained chapter CNN loaded; tf.setBackend('onednn') without its addon says why`);
})().catch((e) => fail(e.stack || String(e)));
JS
node check.cjs 2>&1 | grep -v -i 'hi there\|====\|tfjs-node for more\|speed things\|^$'

# ---- @aa/backend-onednn in a fresh project, as a user installs it: the addon builds, the import registers it.
if ! { [ -f /usr/include/dnnl.hpp ] || [ -f /usr/include/oneapi/dnnl/dnnl.hpp ] || [ -n "${DNNL_INCLUDE_DIR:-}" ]; }; then
  echo "onednn consumer check skipped: oneDNN is not installed (apt-get install libdnnl-dev)"
  exit 0
fi
mkdir "$work/onednn" && cd "$work/onednn"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error @tensorflow/tfjs@4.22.0 "$work"/aa-backend-onednn-*.tgz >/dev/null
cat > train.mjs <<'JS'
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import '@aa/backend-onednn';
import { kernelStats, unavailableReason } from '@aa/backend-onednn';

const fail = (msg) => { console.error('onednn consumer check FAILED: ' + msg); process.exit(1); };
const status = JSON.parse(fs.readFileSync('node_modules/@aa/backend-onednn/build/status.json', 'utf8'));
if (!status.ok) fail(`the install script did not build the addon: ${status.reason}`);
// node-gyp came from npm, not from the package's dependencies.
if (fs.existsSync('node_modules/node-gyp')) fail('node-gyp was installed as a dependency');
if (!(await tf.setBackend('onednn'))) fail(`tf.setBackend('onednn') failed: ${unavailableReason()}`);
// A small conv model learns which half of an 8x8 image is brighter.
const n = 64;
const labels = Array.from({ length: n }, (_, i) => i % 2);
const pixels = new Float32Array(n * 64);
let seed = 1;
for (let i = 0; i < pixels.length; i++) {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  const [image, column] = [Math.floor(i / 64), i % 8];
  pixels[i] = ((column < 4) === (labels[image] === 1) ? 0.5 : 0) + (seed / 2 ** 31) * 0.5;
}
const images = tf.tensor4d(pixels, [n, 8, 8, 1]);
const targets = tf.oneHot(tf.tensor1d(labels, 'int32'), 2);
const model = tf.sequential({
  layers: [
    tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 2, activation: 'softmax' }),
  ],
});
model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const history = await model.fit(images, targets, { epochs: 15, batchSize: 16, verbose: 0 });
const loss = history.history.loss;
const conv = kernelStats().FusedConv2D ?? kernelStats().Conv2D;
if (!loss.every(Number.isFinite) || !(loss[loss.length - 1] < loss[0])) fail(`the loss did not decrease: ${loss.join(', ')}`);
if (!conv || conv.native === 0) fail(`the convolutions did not run natively: ${JSON.stringify(kernelStats())}`);
console.log(`onednn consumer check passed: npm installed @tensorflow/tfjs and the packed backend (addon built against oneDNN ${status.onednn}, AVX2 build ${status.avx2}), ` +
  `import '@aa/backend-onednn' registered it, tf.setBackend('onednn') selected it, a conv model trained (loss ${loss[0].toFixed(3)} -> ${loss[loss.length - 1].toFixed(3)}, ` +
  `${conv.native} native convolutions)`);
JS
node train.mjs
