#!/usr/bin/env bash
# Installs the built, packed @aa/blur into a fresh npm project next to @tensorflow/tfjs-node, as a user
# would, and checks that the project ends with ONE copy of tfjs: layer classes register per copy, so a
# second copy would make models holding BlurPool/MaxBlurPool2D fail to load.
# tfjs-node is installed with --ignore-scripts: its install script downloads libtensorflow, which is
# not needed to check the dependency tree (and not reachable from every machine).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pnpm --dir "$root" --filter @aa/blur build >/dev/null
pnpm --dir "$root/packages/blur" pack --pack-destination "$work" >/dev/null
tarball=$(ls "$work"/aa-blur-*.tgz)

mkdir "$work/app" && cd "$work/app"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts --loglevel=error "$tarball" @tensorflow/tfjs-node@4.22.0 >/dev/null
echo "installed: $(npm ls --depth=0 2>/dev/null | tail -n +2 | tr -d '\n')"

cat > check.cjs <<'JS'
const path = require('path');
const fs = require('fs');
const fail = (msg) => { console.error('consumer check FAILED: ' + msg); process.exit(1); };
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
      if (/^@tensorflow\/tfjs(-core|-layers)?$/.test(name)) (copies[name] ??= []).push(`${version} at ${full}`);
      if (fs.existsSync(path.join(full, 'node_modules'))) walk(path.join(full, 'node_modules'));
    }
  }
})(path.join(__dirname, 'node_modules'));
for (const name of ['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers']) {
  const found = copies[name] ?? [];
  console.log(`${name}: ${found.length} copy (${found.join('; ')})`);
  if (found.length !== 1) fail(`expected exactly one copy of ${name}`);
}
// The tfjs that @aa/blur imports is the one tfjs-node re-exports.
const fromBlur = require.resolve('@tensorflow/tfjs', { paths: [path.dirname(require.resolve('@aa/blur'))] });
const fromNode = require.resolve('@tensorflow/tfjs', { paths: [path.dirname(require.resolve('@tensorflow/tfjs-node/package.json'))] });
if (fromBlur !== fromNode) fail(`@aa/blur resolves ${fromBlur}, tfjs-node resolves ${fromNode}`);
// CommonJS entry: layers registered in the user's tfjs, and a model holding them saves and loads.
const tf = require('@tensorflow/tfjs');
const { MaxBlurPool2D, BlurPool } = require('@aa/blur');
const registered = tf.serialization.SerializationMap.getMap().classNameMap;
for (const name of ['MaxBlurPool2D', 'BlurPool']) if (!registered[name]) fail(`${name} is not registered in the user's tfjs`);
(async () => {
  await tf.setBackend('cpu');
  const model = tf.sequential({ layers: [new MaxBlurPool2D({ inputShape: [8, 8, 2] }), new BlurPool()] });
  let artifacts;
  await model.save(tf.io.withSaveHandler(async (a) => { artifacts = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  const x = tf.randomUniform([1, 8, 8, 2]);
  const diff = tf.max(tf.abs(tf.sub(model.predict(x), loaded.predict(x)))).dataSync()[0];
  if (diff !== 0) fail(`loaded model differs by ${diff}`);
  // ES module entry resolves too.
  const esm = await import('@aa/blur');
  if (typeof esm.maxBlurPool2d !== 'function' || typeof esm.MaxBlurPool2D !== 'function') fail('ESM entry lacks maxBlurPool2d or MaxBlurPool2D');
  console.log(`consumer check passed: one tfjs ${tf.version.tfjs}, @aa/blur layers registered, model saved and loaded (CJS + ESM entries)`);
})().catch((e) => fail(e.stack || String(e)));
JS
node check.cjs 2>&1 | grep -v -i 'hi there\|====\|tfjs-node for more\|speed things\|^$'
