// Max and average pooling on NHWC tensors and their gradients, with tfjs-backend-cpu's exact
// semantics: windows skip padded positions, the max gradient goes to the first strict maximum in
// window order (row-major), the average forward divides by the number of valid pixels while the
// average gradient divides by the full window size (as the cpu kernel does).
// Channels are the innermost loop, so every window step is one vector operation.
#include <climits>
#include <cmath>
#include <limits>

#include "common.h"

namespace aa {

namespace {

struct PoolGeometry {
  int64_t N, IH, IW, C, OH, OW, KH, KW, SH, SW, PT, PL;
  explicit PoolGeometry(const std::vector<int64_t>& p)
      : N(p[0]), IH(p[1]), IW(p[2]), C(p[3]), OH(p[4]), OW(p[5]), KH(p[6]), KW(p[7]), SH(p[8]), SW(p[9]), PT(p[10]),
        PL(p[11]) {}
  int64_t rowStart(int64_t oh) const { return oh * SH - PT; }
  int64_t colStart(int64_t ow) const { return ow * SW - PL; }
};

// The 12 parameters, checked: positive sizes, windows and strides, non-negative padding. Windows are
// clipped to the input, so any output size is safe once the buffers have the sizes the geometry gives.
PoolGeometry poolGeometry(const Napi::Value& v) {
  std::vector<int64_t> p = ints(v, "params");
  AA_REQUIRE(p.size() == 12, "expected 12 geometry parameters, got " + std::to_string(p.size()));
  for (size_t i = 0; i < 10; i++) AA_REQUIRE(p[i] >= 1, "sizes, windows and strides must be >= 1, got " + show(p));
  AA_REQUIRE(p[10] >= 0 && p[11] >= 0, "padding must be >= 0, got " + show(p));
  return PoolGeometry(p);
}

int64_t inputSize(const PoolGeometry& g) { return count({g.N, g.IH, g.IW, g.C}, "the input"); }
int64_t outputSize(const PoolGeometry& g) { return count({g.N, g.OH, g.OW, g.C}, "the output"); }

inline int64_t maxI(int64_t a, int64_t b) { return a > b ? a : b; }
inline int64_t minI(int64_t a, int64_t b) { return a < b ? a : b; }

// maxPool(x, y, params: Int32Array(12)) / avgPool(x, y, params)
template <bool kMax>
Napi::Value PoolForward(const Napi::CallbackInfo& info) {
  return guarded(info, kMax ? "maxPool" : "avgPool", [&]() -> Napi::Value {
    const F32 xa = f32(info[0], "x"), ya = f32(info[1], "y");
    const PoolGeometry g = poolGeometry(info[2]);
    expectLength(xa, inputSize(g), "x");
    expectLength(ya, outputSize(g), "y");
    const float* x = xa.p;
    float* y = ya.p;
    const int64_t rows = g.N * g.OH;
#pragma omp parallel for num_threads(threadsFor(rows * g.OW * g.C * g.KH * g.KW)) schedule(static)
    for (int64_t r = 0; r < rows; r++) {
      const int64_t n = r / g.OH, oh = r % g.OH;
      const int64_t h0 = g.rowStart(oh);
      const int64_t hs = maxI(0, h0), he = minI(g.IH, h0 + g.KH);
      for (int64_t ow = 0; ow < g.OW; ow++) {
        const int64_t w0 = g.colStart(ow);
        const int64_t ws = maxI(0, w0), we = minI(g.IW, w0 + g.KW);
        float* out = y + ((n * g.OH + oh) * g.OW + ow) * g.C;
        const float init = kMax ? -std::numeric_limits<float>::infinity() : 0.f;
#pragma omp simd
        for (int64_t c = 0; c < g.C; c++) out[c] = init;
        for (int64_t h = hs; h < he; h++) {
          for (int64_t w = ws; w < we; w++) {
            const float* in = x + ((n * g.IH + h) * g.IW + w) * g.C;
            if (kMax) {
              // NaN never wins a comparison, as in the cpu kernel.
#pragma omp simd
              for (int64_t c = 0; c < g.C; c++) out[c] = in[c] > out[c] ? in[c] : out[c];
            } else {
#pragma omp simd
              for (int64_t c = 0; c < g.C; c++) out[c] += in[c];
            }
          }
        }
        if (!kMax) {
          // A window entirely in the padding has he < hs (or we < ws): 0 valid pixels, 0 / 0 = NaN as on cpu.
          const float inv = 1.f / static_cast<float>(maxI(0, he - hs) * maxI(0, we - ws));
#pragma omp simd
          for (int64_t c = 0; c < g.C; c++) out[c] *= inv;
        }
      }
    }
    return info.Env().Undefined();
  });
}

// maxPoolGrad(dy, x, dx, params): dx is zeroed here, then each output's gradient goes to the
// position of its window's first strict maximum. One image per task: windows overlap only inside it.
// The body of maxPoolGrad: per output pixel the first maximum of its window (strictly greater wins,
// as tfjs-backend-cpu's maxPoolPositions), found branch-free so that the loop over channels runs
// vectorised; Index is int32 when an image's offsets fit (lanes as wide as the floats').
template <typename Index>
void maxPoolGradImpl(const PoolGeometry& g, const float* dy, const float* x, float* dx) {
  const int64_t imageIn = g.IH * g.IW * g.C;
#pragma omp parallel num_threads(threadsFor(g.N * g.OH * g.OW * g.C * g.KH * g.KW))
  {
    std::vector<float> bestv(g.C);
    std::vector<Index> wherev(g.C);
    float* __restrict best = bestv.data();
    Index* __restrict where = wherev.data();
#pragma omp for schedule(static)
    for (int64_t n = 0; n < g.N; n++) {
      float* dxn = dx + n * imageIn;
      for (int64_t i = 0; i < imageIn; i++) dxn[i] = 0.f;
      const float* xn = x + n * imageIn;
      for (int64_t oh = 0; oh < g.OH; oh++) {
        const int64_t h0 = g.rowStart(oh);
        const int64_t hs = maxI(0, h0), he = minI(g.IH, h0 + g.KH);
        for (int64_t ow = 0; ow < g.OW; ow++) {
          const int64_t w0 = g.colStart(ow);
          const int64_t ws = maxI(0, w0), we = minI(g.IW, w0 + g.KW);
          for (int64_t c = 0; c < g.C; c++) {
            best[c] = -std::numeric_limits<float>::infinity();
            where[c] = -1;
          }
          for (int64_t h = hs; h < he; h++) {
            for (int64_t w = ws; w < we; w++) {
              const Index off = static_cast<Index>((h * g.IW + w) * g.C);
              const float* __restrict in = xn + off;
#pragma omp simd
              for (int64_t c = 0; c < g.C; c++) {
                const bool gt = in[c] > best[c];
                best[c] = gt ? in[c] : best[c];
                where[c] = gt ? static_cast<Index>(off + c) : where[c];
              }
            }
          }
          const float* g_out = dy + ((n * g.OH + oh) * g.OW + ow) * g.C;
          for (int64_t c = 0; c < g.C; c++) {
            if (where[c] >= 0) dxn[where[c]] += g_out[c];
          }
        }
      }
    }
  }
}

Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "maxPoolGrad", [&]() -> Napi::Value {
    const F32 dya = f32(info[0], "dy"), xa = f32(info[1], "x"), dxa = f32(info[2], "dx");
    const PoolGeometry g = poolGeometry(info[3]);
    expectLength(dya, outputSize(g), "dy");
    expectLength(xa, inputSize(g), "x");
    expectLength(dxa, inputSize(g), "dx");
    const float* dy = dya.p;
    const float* x = xa.p;
    float* dx = dxa.p;
    const int64_t imageIn = g.IH * g.IW * g.C;
    if (imageIn <= INT32_MAX) {
      maxPoolGradImpl<int32_t>(g, dy, x, dx);
    } else {
      maxPoolGradImpl<int64_t>(g, dy, x, dx);
    }
    return info.Env().Undefined();
  });
}

// avgPoolGrad(dy, dx, params): every valid input pixel of a window receives dy / (KH * KW).
Napi::Value AvgPoolGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "avgPoolGrad", [&]() -> Napi::Value {
    const F32 dya = f32(info[0], "dy"), dxa = f32(info[1], "dx");
    const PoolGeometry g = poolGeometry(info[2]);
    expectLength(dya, outputSize(g), "dy");
    expectLength(dxa, inputSize(g), "dx");
    const float* dy = dya.p;
    float* dx = dxa.p;
    const int64_t imageIn = g.IH * g.IW * g.C;
    const float scale = 1.f / static_cast<float>(g.KH * g.KW);
#pragma omp parallel for num_threads(threadsFor(g.N * g.OH * g.OW * g.C * g.KH * g.KW)) schedule(static)
    for (int64_t n = 0; n < g.N; n++) {
      float* dxn = dx + n * imageIn;
      for (int64_t i = 0; i < imageIn; i++) dxn[i] = 0.f;
      for (int64_t oh = 0; oh < g.OH; oh++) {
        const int64_t h0 = g.rowStart(oh);
        const int64_t hs = maxI(0, h0), he = minI(g.IH, h0 + g.KH);
        for (int64_t ow = 0; ow < g.OW; ow++) {
          const int64_t w0 = g.colStart(ow);
          const int64_t ws = maxI(0, w0), we = minI(g.IW, w0 + g.KW);
          const float* g_out = dy + ((n * g.OH + oh) * g.OW + ow) * g.C;
          for (int64_t h = hs; h < he; h++) {
            for (int64_t w = ws; w < we; w++) {
              float* d = dxn + (h * g.IW + w) * g.C;
#pragma omp simd
              for (int64_t c = 0; c < g.C; c++) d[c] += g_out[c] * scale;
            }
          }
        }
      }
    }
    return info.Env().Undefined();
  });
}

}  // namespace

void registerPool(Napi::Env env, Napi::Object exports) {
  exports.Set("maxPool", Napi::Function::New(env, PoolForward<true>));
  exports.Set("avgPool", Napi::Function::New(env, PoolForward<false>));
  exports.Set("maxPoolGrad", Napi::Function::New(env, MaxPoolGrad));
  exports.Set("avgPoolGrad", Napi::Function::New(env, AvgPoolGrad));
}

}  // namespace aa
