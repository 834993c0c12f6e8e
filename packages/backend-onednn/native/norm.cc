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
    const float* x = f32(info[0]);
    const float* mean = f32(info[1]);
    const float* var = f32(info[2]);
    const float* offset = f32OrNull(info[3]);
    const float* scale = f32OrNull(info[4]);
    float* out = f32(info[5]);
    const float eps = fl(info[6]);
    const int64_t L = i64(info[7]);
    const bool mean1 = f32Len(info[1]) == 1, var1 = f32Len(info[2]) == 1;
    const bool off1 = offset && f32Len(info[3]) == 1, scale1 = scale && f32Len(info[4]) == 1;
    std::vector<float> m(L), k(L), o(L);
    for (int64_t c = 0; c < L; c++) {
      const double v = var[var1 ? 0 : c];
      const double s = scale ? scale[scale1 ? 0 : c] : 1.0;
      m[c] = mean[mean1 ? 0 : c];
      k[c] = static_cast<float>(s / std::sqrt(v + eps));
      o[c] = offset ? offset[off1 ? 0 : c] : 0.f;
    }
    const int64_t n = static_cast<int64_t>(f32Len(info[5]));
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
    const float* x = f32(info[0]);
    const float* mean = f32(info[1]);
    const float* var = f32(info[2]);
    const float* scale = f32OrNull(info[3]);
    const float* dy = f32(info[4]);
    const double eps = fl(info[5]);
    const int64_t C = i64(info[6]);
    float* dx = f32(info[7]);
    float* dMean = f32(info[8]);
    float* dVar = f32(info[9]);
    float* dScale = f32(info[10]);
    float* dOffset = f32(info[11]);
    const int64_t n = static_cast<int64_t>(f32Len(info[0]));
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
