#!/usr/bin/env bash
# Installs every built, packed @aa library into a fresh npm project next to @tensorflow/tfjs-node, as a
# user would, and checks that the project ends with ONE copy of tfjs: layer and optimizer classes
# register per copy, so a second copy would make saved models fail to load.
# Installed with --ignore-scripts: tfjs-node's install script downloads libtensorflow (not reachable from
# every machine) and @aa/backend-onednn's compiles its addon; neither is needed to check the tree.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
libs=(blur rezero mixup cifar-data train-loop backend-onednn)

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
const libs = ["@aa/blur", "@aa/rezero", "@aa/mixup", "@aa/cifar-data", "@aa/train-loop", "@aa/backend-onednn"];
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
const registered = tf.serialization.SerializationMap.getMap().classNameMap;
for (const name of ['MaxBlurPool2D', 'BlurPool', 'ReZero', 'AdamW']) if (!registered[name]) fail(`${name} is not registered in the user's tfjs`);
(async () => {
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
  // ES module entries resolve too.
  for (const lib of libs) {
    const esm = await import(lib);
    if (Object.keys(esm).length < 2) fail(`${lib}: ESM entry exports nothing`);
  }
  console.log(`consumer check passed: one tfjs ${tf.version.tfjs} shared by tfjs-node and ${libs.join(', ')}; classes registered; a model saved and loaded (CJS + ESM entries)`);
})().catch((e) => fail(e.stack || String(e)));
JS
node check.cjs 2>&1 | grep -v -i 'hi there\|====\|tfjs-node for more\|speed things\|^$'
