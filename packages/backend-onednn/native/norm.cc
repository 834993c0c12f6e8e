// FusedBatchNorm forward: y = offset + (x - mean) * scale / sqrt(variance + epsilon), with the
// parameters indexed by the flat index modulo their common length, as tfjs-backend-cpu does
// (for channels-last tensors and [C] parameters that is the channel).
#include <cmath>

#include "common.h"

namespace aa {

namespace {

// batchNorm(x, mean, variance, offset | null, scale | null, out, epsilon, L): parameters of length 1 or L.
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  return guarded(info, "batchNorm", [&]() -> Napi::Value {
    const F32 xa = f32(info[0], "x"), ma = f32(info[1], "mean"), va = f32(info[2], "variance");
    const F32 oa = f32OrNull(info[3], "offset"), sa = f32OrNull(info[4], "scale"), outa = f32(info[5], "out");
    const float eps = fl(info[6], "epsilon");
    const int64_t L = i64(info[7], "length");
    AA_REQUIRE(L >= 1 && xa.n % L == 0, "length must be >= 1 and divide x's size " + std::to_string(xa.n) + ", got " + std::to_string(L));
    expectLength(outa, xa.n, "out");
    // Each parameter has 1 value or L values.
    for (const F32* q : {&ma, &va, &oa, &sa}) {
      AA_REQUIRE(q->p == nullptr || q->n == 1 || q->n == L, "mean, variance, offset and scale must have 1 or " + std::to_string(L) + " values");
    }
    AA_REQUIRE(ma.p != nullptr && va.p != nullptr, "mean and variance are required");
    const float* x = xa.p;
    const float* mean = ma.p;
    const float* var = va.p;
    const float* offset = oa.p;
    const float* scale = sa.p;
    float* out = outa.p;
    const bool mean1 = ma.n == 1, var1 = va.n == 1;
    const bool off1 = offset && oa.n == 1, scale1 = scale && sa.n == 1;
    std::vector<float> m(L), k(L), o(L);
    for (int64_t c = 0; c < L; c++) {
      const double v = var[var1 ? 0 : c];
      const double s = scale ? scale[scale1 ? 0 : c] : 1.0;
      m[c] = mean[mean1 ? 0 : c];
      k[c] = static_cast<float>(s / std::sqrt(v + eps));
      o[c] = offset ? offset[off1 ? 0 : c] : 0.f;
    }
    const int64_t n = outa.n;
    const int64_t rows = n / L;
    const float *pm = m.data(), *pk = k.data(), *po = o.data();
#pragma omp parallel for num_threads(threadsFor(n)) schedule(static)
    for (int64_t r = 0; r < rows; r++) {
      const float* xr = x + r * L;
      float* yr = out + r * L;
#pragma omp simd
      for (int64_t c = 0; c < L; c++) yr[c] = po[c] + (xr[c] - pm[c]) * pk[c];
    }
    return info.Env().Undefined();
  });
}

// batchNormGrad(x, mean, variance, scale | null, dy, epsilon, C, dx, dMean, dVariance, dScale, dOffset):
// the gradient tfjs-core defines for FusedBatchNorm with [C] statistics, in one pass over x and dy:
//   k = scale / sqrt(variance + eps), S1 = sum(dy), S2 = sum(dy * (x - mean)) per channel,
//   dx = dy * k, dMean = -k * S1, dVariance = -0.5 * k / (variance + eps) * S2,
//   dScale = S2 / sqrt(variance + eps), dOffset = S1.
Napi::Value BatchNormGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "batchNormGrad", [&]() -> Napi::Value {
    const F32 xa = f32(info[0], "x"), ma = f32(info[1], "mean"), va = f32(info[2], "variance"), sa = f32OrNull(info[3], "scale");
    const F32 dya = f32(info[4], "dy");
    const double eps = fl(info[5], "epsilon");
    const int64_t C = i64(info[6], "channels");
    const F32 dxa = f32(info[7], "dx"), dma = f32(info[8], "dMean"), dva = f32(info[9], "dVariance");
    const F32 dsa = f32(info[10], "dScale"), doa = f32(info[11], "dOffset");
    AA_REQUIRE(C >= 1 && xa.n % C == 0, "channels must be >= 1 and divide x's size " + std::to_string(xa.n) + ", got " + std::to_string(C));
    expectLength(dya, xa.n, "dy");
    expectLength(dxa, xa.n, "dx");
    for (const F32* q : {&ma, &va, &dma, &dva, &dsa, &doa}) expectLength(*q, C, "every statistic and parameter gradient");
    if (sa.p != nullptr) expectLength(sa, C, "scale");
    const float* x = xa.p;
    const float* mean = ma.p;
    const float* var = va.p;
    const float* scale = sa.p;
    const float* dy = dya.p;
    float* dx = dxa.p;
    float* dMean = dma.p;
    float* dVar = dva.p;
    float* dScale = dsa.p;
    float* dOffset = doa.p;
    const int64_t n = xa.n;
    const int64_t rows = n / C;
    std::vector<float> k(C), m(C);
    std::vector<double> inv(C);
    for (int64_t c = 0; c < C; c++) {
      inv[c] = 1.0 / std::sqrt(static_cast<double>(var[c]) + eps);
      k[c] = static_cast<float>((scale ? scale[c] : 1.0) * inv[c]);
      m[c] = mean[c];
    }
    const int t = threadsFor(n * 2);
    const int threads = static_cast<int>(rows < t ? (rows > 0 ? rows : 1) : t);
    std::vector<double> s1(static_cast<size_t>(threads) * C, 0.0), s2(static_cast<size_t>(threads) * C, 0.0);
    const float *pk = k.data(), *pm = m.data();
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int th = 0; th < threads; th++) {
      const int64_t r0 = rows * th / threads, r1 = rows * (th + 1) / threads;
      double* a1 = s1.data() + th * C;
      double* a2 = s2.data() + th * C;
      for (int64_t r = r0; r < r1; r++) {
        const float* xr = x + r * C;
        const float* gr = dy + r * C;
        float* dr = dx + r * C;
#pragma omp simd
        for (int64_t c = 0; c < C; c++) {
          const float g = gr[c];
          a1[c] += g;
          a2[c] += static_cast<double>(g) * (xr[c] - pm[c]);
          dr[c] = g * pk[c];
        }
      }
    }
    for (int64_t c = 0; c < C; c++) {
      double S1 = 0, S2 = 0;
      for (int th = 0; th < threads; th++) {
        S1 += s1[th * C + c];
        S2 += s2[th * C + c];
      }
      const double sc = scale ? scale[c] : 1.0;
      dOffset[c] = static_cast<float>(S1);
      dScale[c] = static_cast<float>(S2 * inv[c]);
      dMean[c] = static_cast<float>(-inv[c] * sc * S1);
      dVar[c] = static_cast<float>(-0.5 * inv[c] * inv[c] * inv[c] * sc * S2);
    }
    return info.Env().Undefined();
  });
}

}  // namespace

void registerNorm(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm));
  exports.Set("batchNormGrad", Napi::Function::New(env, BatchNormGrad));
}

}  // namespace aa
