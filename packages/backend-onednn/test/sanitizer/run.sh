#!/usr/bin/env bash
# The fuzz test (test/fuzz.test.ts), the native argument checks (test/native-bounds.test.ts), the
# fusion tests and the threaded loops above their threshold (test/parallel-kernels.test.ts) on
# an AddressSanitizer build of the addon, CI-sized. ASan instruments the package's own loops;
# oneDNN is not instrumented, so every buffer a native kernel reads or writes (inputs and outputs)
# also sits against an inaccessible page in this build: an out-of-bounds access anywhere kills the
# run with ASan's report instead of passing unnoticed.
#
#   bash test/sanitizer/run.sh          (FUZZ_CASES per family, default 40)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${AA_SANITIZER_BUILD:-build-asan}
bash test/sanitizer/build.sh "$out"
# node itself is not built with ASan: its runtime has to come first, and V8's intentional leaks are not errors.
asan=$(${CC:-gcc} -print-file-name=libasan.so)
export LD_PRELOAD="$asan"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export AA_ONEDNN_ADDON="$PWD/$out/onednn.node" AA_SANITIZER=1
export FUZZ_CASES=${FUZZ_CASES:-40} OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
exec node ../../node_modules/jest/bin/jest.js --runInBand test/fuzz.test.ts test/native-bounds.test.ts test/moments-fusion.test.ts test/parallel-kernels.test.ts test/sanitizer/harness.test.ts
