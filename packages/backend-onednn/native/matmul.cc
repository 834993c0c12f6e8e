// Batched matrix products on oneDNN's sgemm (row-major), with the optional bias and activation of
// tfjs's _FusedMatMul applied in the same pass over the output.
#include <dnnl.hpp>

#include "common.h"

namespace aa {

namespace {

// matmul(a, b, bias | null, out, params: Int32Array[batchA, batchB, M, N, K, transA, transB, biasLen], act, alpha)
//   a: [batchA, M, K] (or [batchA, K, M] when transA), b: [batchB, K, N] (or [batchB, N, K]),
//   out: [max(batchA, batchB), M, N]; a batch of 1 broadcasts. bias has biasLen 1 or N.
Napi::Value Matmul(const Napi::CallbackInfo& info) {
  return guarded(info, "matmul", [&]() -> Napi::Value {
    const F32 aa = f32(info[0], "a"), ba = f32(info[1], "b"), biasa = f32OrNull(info[2], "bias"), outa = f32(info[3], "out");
    std::vector<int64_t> p = ints(info[4], "params");
    const int64_t act = i64(info[5], "activation");
    const float alpha = fl(info[6], "alpha");
    AA_REQUIRE(p.size() == 8, "expected 8 parameters, got " + std::to_string(p.size()));
    AA_REQUIRE(act >= kLinear && act <= kLeakyRelu, "unknown activation " + std::to_string(act));
    const int64_t batchA = p[0], batchB = p[1], M = p[2], N = p[3], K = p[4], biasLen = p[7];
    AA_REQUIRE(batchA >= 1 && batchB >= 1 && M >= 0 && N >= 0 && K >= 0, "sizes must be >= 0 (batches >= 1), got " + show(p));
    AA_REQUIRE(batchA == batchB || batchA == 1 || batchB == 1, "the batches must be equal or one of them 1, got " + show(p));
    AA_REQUIRE((p[5] == 0 || p[5] == 1) && (p[6] == 0 || p[6] == 1), "the transpose flags must be 0 or 1, got " + show(p));
    AA_REQUIRE(biasa.p == nullptr ? biasLen == 0 : (biasLen == 1 || biasLen == N) && biasa.n == biasLen,
               "the bias must have 1 or N values and biasLen must say which, got biasLen " + std::to_string(biasLen));
    const bool ta = p[5] != 0, tb = p[6] != 0;
    expectLength(aa, count({batchA, M, K}, "a"), "a");
    expectLength(ba, count({batchB, K, N}, "b"), "b");
    expectLength(outa, count({batchA > batchB ? batchA : batchB, M, N}, "out"), "out");
    const float* a = aa.p;
    const float* b = ba.p;
    const float* bias = biasa.p;
    float* out = outa.p;
    if (M == 0 || N == 0) return info.Env().Undefined();  // nothing to write (sgemm rejects a zero leading dimension)
    const int64_t batch = batchA > batchB ? batchA : batchB;
    for (int64_t i = 0; i < batch; i++) {
      const float* ai = a + (batchA == 1 ? 0 : i) * M * K;
      const float* bi = b + (batchB == 1 ? 0 : i) * K * N;
      float* ci = out + i * M * N;
      if (K == 0) {
        for (int64_t j = 0; j < M * N; j++) ci[j] = 0.f;
        continue;
      }
      dnnl_status_t st = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', M, N, K, 1.f, ai, ta ? M : K, bi, tb ? K : N, 0.f,
                                    ci, N);
      if (st != dnnl_success) throw Napi::Error::New(info.Env(), "matmul: dnnl_sgemm failed with status " + std::to_string(st));
    }
    const int64_t total = batch * M * N;
    if (bias) {
      if (biasLen == 1) {
        const float v = bias[0];
#pragma omp parallel for num_threads(threadsFor(total)) schedule(static)
        for (int64_t j = 0; j < total; j++) out[j] += v;
      } else {
        const int64_t rows = batch * M;
#pragma omp parallel for num_threads(threadsFor(total)) schedule(static)
        for (int64_t r = 0; r < rows; r++) {
          float* row = out + r * N;
#pragma omp simd
          for (int64_t c = 0; c < N; c++) row[c] += bias[c];
        }
      }
    }
    if (act != kLinear) applyActivation(out, total, act, alpha);
    return info.Env().Undefined();
  });
}

}  // namespace

void registerMatmul(Napi::Env env, Napi::Object exports) {
  exports.Set("matmul", Napi::Function::New(env, Matmul));
}

}  // namespace aa
