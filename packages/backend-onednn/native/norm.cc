// FusedBatchNorm forward: y = offset + (x - mean) * scale / sqrt(variance + epsilon), with the
// parameters indexed by the flat index modulo their common length, as tfjs-backend-cpu does
// (for channels-last tensors and [C] parameters that is the channel).
#include <algorithm>
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

// Rows per float partial sum of the batch statistics: short enough that float rounding stays at the
// level of the inputs' own, long enough that the loops run vectorised.
constexpr int64_t kStatBlock = 64;

// Rows and channels of a channels-last tensor x [..., C] with [C] statistics, checked.
int64_t rowsOf(const F32& xa, int64_t C) {
  AA_REQUIRE(C >= 1 && xa.n % C == 0, "channels must be >= 1 and divide x's size " + std::to_string(xa.n) + ", got " + std::to_string(C));
  return xa.n / C;
}

// Per-channel loops over x [rows, C] run over "spans" of k whole rows (k * C >= 64 floats) with the
// channel parameters repeated k times, so that a chapter-sized C of 16 still fills the vector units
// instead of paying a loop start per 16 floats. The rows left over (rows % k) are done one by one.
struct Spans {
  int64_t C, k, L, spans, tail;  // L = k * C floats per span; tail rows after the last span
  Spans(int64_t rows, int64_t channels) : C(channels) {
    k = C >= 64 ? 1 : (64 + C - 1) / C;
    L = k * C;
    spans = rows / k;
    tail = rows - spans * k;
  }
  // The [C] values repeated k times.
  std::vector<float> repeat(const float* v) const {
    std::vector<float> r(L);
    for (int64_t j = 0; j < L; j++) r[j] = v[j % C];
    return r;
  }
  // Folds [L] partial sums into [C].
  void fold(const double* a, double* out) const {
    for (int64_t c = 0; c < C; c++) out[c] = 0;
    for (int64_t j = 0; j < L; j++) out[j % C] += a[j];
  }
};

// Sums over the spans of x in N accumulators of sp.L values each: body(t, f) adds span t into the
// float partials f[0, N * L). Blocks of kStatBlock spans are summed in float, then added in double;
// the blocks are split among threads, each with its own double totals, merged in thread order, so
// one thread count always gives the same result (and 1 thread the plain sequential sum).
template <int N, typename Body>
void spanSums(const Spans& sp, int64_t work, std::vector<double>& acc, Body body) {
  const int64_t blocks = (sp.spans + kStatBlock - 1) / kStatBlock;
  const int64_t want = threadsFor(work);
  const int threads = static_cast<int>(std::max<int64_t>(1, std::min(want, blocks)));
  const size_t width = static_cast<size_t>(N) * static_cast<size_t>(sp.L);
  std::vector<double> part(static_cast<size_t>(threads) * width, 0.0);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int th = 0; th < threads; th++) {
    const int64_t b0 = blocks * th / threads, b1 = blocks * (th + 1) / threads;
    double* mine = part.data() + static_cast<size_t>(th) * width;
    std::vector<float> f(width);
    for (int64_t b = b0; b < b1; b++) {
      const int64_t s0 = b * kStatBlock, s1 = std::min(s0 + kStatBlock, sp.spans);
      std::fill(f.begin(), f.end(), 0.f);
      for (int64_t t = s0; t < s1; t++) body(t, f.data());
      for (size_t j = 0; j < width; j++) mine[j] += f[j];
    }
  }
  for (size_t j = 0; j < width; j++) {
    double total = 0;
    for (int th = 0; th < threads; th++) total += part[static_cast<size_t>(th) * width + j];
    acc[j] += total;
  }
}

// centered(x, mean, C, out, power): out = (x - mean) (power 1) or (x - mean)^2 (power 2), mean [C]
// broadcast over the rows, each step rounded to float32 as tfjs's Sub and Square kernels round it.
// It materialises the deferred outputs of tf.moments' sub and square (see src/deferred.ts).
Napi::Value Centered(const Napi::CallbackInfo& info) {
  return guarded(info, "centered", [&]() -> Napi::Value {
    const F32 xa = f32(info[0], "x"), ma = f32(info[1], "mean");
    const int64_t C = i64(info[2], "channels");
    const F32 outa = f32(info[3], "out");
    const int64_t power = i64(info[4], "power");
    const int64_t rows = rowsOf(xa, C);
    expectLength(ma, C, "mean");
    expectLength(outa, xa.n, "out");
    AA_REQUIRE(power == 1 || power == 2, "power must be 1 or 2, got " + std::to_string(power));
    const float* x = xa.p;
    const float* m = ma.p;
    float* out = outa.p;
#pragma omp parallel for num_threads(threadsFor(xa.n)) schedule(static)
    for (int64_t r = 0; r < rows; r++) {
      const float* xr = x + r * C;
      float* yr = out + r * C;
      if (power == 1) {
#pragma omp simd
        for (int64_t c = 0; c < C; c++) yr[c] = xr[c] - m[c];
      } else {
#pragma omp simd
        for (int64_t c = 0; c < C; c++) {
          const float d = xr[c] - m[c];
          yr[c] = d * d;
        }
      }
    }
    return info.Env().Undefined();
  });
}

// centeredVariance(x, mean, C, out): out[c] = mean over the rows of (x - mean[c])^2, the variance
// tf.moments computes as mean(square(sub(x, mean))), in one pass over x (double sums).
Napi::Value CenteredVariance(const Napi::CallbackInfo& info) {
  return guarded(info, "centeredVariance", [&]() -> Napi::Value {
    const F32 xa = f32(info[0], "x"), ma = f32(info[1], "mean");
    const int64_t C = i64(info[2], "channels");
    const F32 outa = f32(info[3], "out");
    const int64_t rows = rowsOf(xa, C);
    expectLength(ma, C, "mean");
    expectLength(outa, C, "out");
    const float* x = xa.p;
    const float* m = ma.p;
    const Spans sp(rows, C);
    const std::vector<float> mr = sp.repeat(m);
    std::vector<double> acc(sp.L, 0.0);
    const float* __restrict pm = mr.data();
    spanSums<1>(sp, xa.n, acc, [&](int64_t t, float* __restrict f) {
      const float* __restrict xs = x + t * sp.L;
#pragma omp simd
      for (int64_t j = 0; j < sp.L; j++) {
        const float d = xs[j] - pm[j];
        f[j] += d * d;
      }
    });
    for (int64_t r = sp.spans * sp.k; r < rows; r++) {
      const float* xr = x + r * C;
      for (int64_t c = 0; c < C; c++) {
        const float d = xr[c] - m[c];
        acc[c] += static_cast<double>(d * d);
      }
    }
    std::vector<double> total(C);
    sp.fold(acc.data(), total.data());
    const double* a = total.data();
    for (int64_t c = 0; c < C; c++) outa.p[c] = static_cast<float>(rows > 0 ? a[c] / static_cast<double>(rows) : NAN);
    return info.Env().Undefined();
  });
}

// batchNormTrainGrad(x, mean, variance, scale | null, dy, epsilon, C, dx, dScale, dOffset): the gradient
// of batch norm in training mode, y = offset + scale * (x - mean(x)) / sqrt(var(x) + eps) with mean
// and var the batch statistics of x itself, i.e. FusedBatchNorm's gradient with the gradients that
// flow back through tf.moments already added into dx:
//   S1 = sum(dy), S2 = sum(dy * (x - mean)), inv = 1 / sqrt(variance + eps), M = rows,
//   dx = scale * inv * (dy - S1 / M - (x - mean) * inv^2 * S2 / M), dScale = S2 * inv, dOffset = S1.
Napi::Value BatchNormTrainGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "batchNormTrainGrad", [&]() -> Napi::Value {
    const F32 xa = f32(info[0], "x"), ma = f32(info[1], "mean"), va = f32(info[2], "variance"), sa = f32OrNull(info[3], "scale");
    const F32 dya = f32(info[4], "dy");
    const double eps = fl(info[5], "epsilon");
    const int64_t C = i64(info[6], "channels");
    const F32 dxa = f32(info[7], "dx"), dsa = f32(info[8], "dScale"), doa = f32(info[9], "dOffset");
    const int64_t rows = rowsOf(xa, C);
    expectLength(dya, xa.n, "dy");
    expectLength(dxa, xa.n, "dx");
    for (const F32* q : {&ma, &va, &dsa, &doa}) expectLength(*q, C, "every statistic and parameter gradient");
    if (sa.p != nullptr) expectLength(sa, C, "scale");
    const float* x = xa.p;
    const float* dy = dya.p;
    float* dx = dxa.p;
    const Spans sp(rows, C);
    const std::vector<float> mr = sp.repeat(ma.p);
    // Pass 1: S1 = sum(dy), S2 = sum(dy * (x - mean)); acc holds S1's L partials, then S2's.
    std::vector<double> acc(2 * sp.L, 0.0);
    {
      const float* __restrict pm = mr.data();
      spanSums<2>(sp, 2 * xa.n, acc, [&](int64_t t, float* __restrict f) {
        const float* __restrict xs = x + t * sp.L;
        const float* __restrict gs = dy + t * sp.L;
        float* __restrict p1 = f;
        float* __restrict p2 = f + sp.L;
#pragma omp simd
        for (int64_t j = 0; j < sp.L; j++) {
          const float g = gs[j];
          p1[j] += g;
          p2[j] += g * (xs[j] - pm[j]);
        }
      });
    }
    double* a1 = acc.data();
    double* a2 = acc.data() + sp.L;
    for (int64_t r = sp.spans * sp.k; r < rows; r++) {
      for (int64_t c = 0; c < C; c++) {
        const float g = dy[r * C + c];
        a1[c] += g;
        a2[c] += static_cast<double>(g) * (x[r * C + c] - ma.p[c]);
      }
    }
    std::vector<double> s1(C), s2(C);
    sp.fold(a1, s1.data());
    sp.fold(a2, s2.data());
    // dx = A * dy + B * (x - mean) + D per channel.
    std::vector<float> A(C), B(C), D(C);
    const double M = static_cast<double>(rows);
    for (int64_t c = 0; c < C; c++) {
      const double inv = 1.0 / std::sqrt(static_cast<double>(va.p[c]) + eps);
      const double k = (sa.p ? sa.p[c] : 1.0) * inv;
      A[c] = static_cast<float>(k);
      B[c] = static_cast<float>(-k * inv * inv * s2[c] / M);
      D[c] = static_cast<float>(-k * s1[c] / M);
      doa.p[c] = static_cast<float>(s1[c]);
      dsa.p[c] = static_cast<float>(s2[c] * inv);
    }
    const std::vector<float> Ar = sp.repeat(A.data()), Br = sp.repeat(B.data()), Dr = sp.repeat(D.data());
    const float* __restrict pa = Ar.data();
    const float* __restrict pb = Br.data();
    const float* __restrict pd = Dr.data();
    const float* __restrict pm = mr.data();
    // Pass 2, over spans, then the tail rows.
#pragma omp parallel for num_threads(threadsFor(xa.n)) schedule(static)
    for (int64_t t = 0; t < sp.spans; t++) {
      const float* __restrict xs = x + t * sp.L;
      const float* __restrict gs = dy + t * sp.L;
      float* __restrict ds = dx + t * sp.L;
#pragma omp simd
      for (int64_t j = 0; j < sp.L; j++) ds[j] = pa[j] * gs[j] + pb[j] * (xs[j] - pm[j]) + pd[j];
    }
    for (int64_t r = sp.spans * sp.k; r < rows; r++) {
      for (int64_t c = 0; c < C; c++) dx[r * C + c] = A[c] * dy[r * C + c] + B[c] * (x[r * C + c] - ma.p[c]) + D[c];
    }
    return info.Env().Undefined();
  });
}

}  // namespace

void registerNorm(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm));
  exports.Set("batchNormGrad", Napi::Function::New(env, BatchNormGrad));
  exports.Set("centered", Napi::Function::New(env, Centered));
  exports.Set("centeredVariance", Napi::Function::New(env, CenteredVariance));
  exports.Set("batchNormTrainGrad", Napi::Function::New(env, BatchNormTrainGrad));
}

}  // namespace aa
