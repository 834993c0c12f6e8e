#!/usr/bin/env bash
# Builds the addon with AddressSanitizer into build-asan/onednn.node, with AA_ONEDNN_TESTING so that
# it also exports guardedFloat32Array (buffers between inaccessible pages, see native/memory.cc).
# A plain compiler call rather than node-gyp: node-gyp always builds into build/, which holds the
# real addon. Rebuilt only when a source is newer than the result.
#
#   bash test/sanitizer/build.sh [output dir]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-build-asan}
lib="$out/onednn.node"
if [ -f "$lib" ] && [ -z "$(find native binding.gyp -newer "$lib" -print -quit)" ]; then
  echo "sanitizer build: $lib is up to date"
  exit 0
fi
mkdir -p "$out"
napi=$(node -p "require('node-addon-api').include_dir")
headers=$(node -p "require('path').resolve(process.execPath, '..', '..', 'include', 'node')")
[ -f "$headers/node_api.h" ] || headers=/usr/include/node
echo "sanitizer build: compiling native/*.cc with -fsanitize=address into $lib"
"${CXX:-g++}" -std=c++17 -O1 -g -fno-omit-frame-pointer -fsanitize=address -fexceptions -fopenmp -fPIC -shared \
  -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS -DAA_ONEDNN_TESTING \
  -I"$napi" -I"$headers" ${DNNL_INCLUDE_DIR:+-I"$DNNL_INCLUDE_DIR"} \
  native/*.cc -o "$lib" ${DNNL_LIBRARY_DIR:+-L"$DNNL_LIBRARY_DIR"} -ldnnl
