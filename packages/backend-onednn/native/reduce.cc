// Reductions (sum, mean, max, min, prod) over any set of axes, without the transpose the cpu backend
// does first: the shape is collapsed into alternating kept/reduced blocks and the common patterns
// (reduce rows, reduce columns, reduce the middle of [outer, reduced, inner]) get parallel loops.
// Sums and products accumulate in double, as the cpu backend's JavaScript numbers do.
#include <cmath>
#include <limits>

#include "common.h"

namespace aa {

namespace {

enum ReduceOp { kSum = 0, kMean = 1, kMax = 2, kMin = 3, kProd = 4 };

template <int Op>
struct Acc {
  using T = typename std::conditional<Op == kMax || Op == kMin, float, double>::type;
  static T init() {
    if (Op == kMax) return -std::numeric_limits<float>::infinity();
    if (Op == kMin) return std::numeric_limits<float>::infinity();
    if (Op == kProd) return 1.0;
    return 0.0;
  }
  static T add(T acc, float v) {
    if (Op == kMax) return (v != v || v > acc) ? v : acc;
    if (Op == kMin) return (v != v || v < acc) ? v : acc;
    if (Op == kProd) return acc * v;
    return acc + v;
  }
  static T merge(T a, T b) {
    if (Op == kMax) return (b != b || b > a) ? b : a;
    if (Op == kMin) return (b != b || b < a) ? b : a;
    if (Op == kProd) return a * b;
    return a + b;
  }
  static float finish(T acc, int64_t count) {
    if (Op == kMean) return static_cast<float>(acc / static_cast<double>(count));
    return static_cast<float>(acc);
  }
};

template <int Op>
typename Acc<Op>::T reduceRun(const float* x, int64_t n, int64_t stride) {
  using A = Acc<Op>;
  typename A::T acc = A::init();
  if (stride == 1 && (Op == kSum || Op == kMean)) {
    double s = 0;
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < n; i++) s += x[i];
    return static_cast<typename A::T>(s);
  }
  for (int64_t i = 0; i < n; i++) acc = A::add(acc, x[i * stride]);
  return acc;
}

// [R, K] -> [K]: rows split among threads, partial results merged at the end.
template <int Op>
void columnReduce(const float* x, float* out, int64_t R, int64_t K, int64_t count, int threads) {
  using A = Acc<Op>;
  using T = typename A::T;
  const int t = static_cast<int>(R < threads ? R : threads);
  std::vector<T> partial(static_cast<size_t>(t) * K, A::init());
#pragma omp parallel for num_threads(t) schedule(static)
  for (int k = 0; k < t; k++) {
    const int64_t r0 = R * k / t, r1 = R * (k + 1) / t;
    T* p = partial.data() + k * K;
    for (int64_t r = r0; r < r1; r++) {
      const float* row = x + r * K;
      if (Op == kSum || Op == kMean) {
#pragma omp simd
        for (int64_t c = 0; c < K; c++) p[c] += row[c];
      } else {
        for (int64_t c = 0; c < K; c++) p[c] = A::add(p[c], row[c]);
      }
    }
  }
  for (int64_t c = 0; c < K; c++) {
    T acc = partial[c];
    for (int k = 1; k < t; k++) acc = A::merge(acc, partial[k * K + c]);
    out[c] = A::finish(acc, count);
  }
}

template <int Op>
void reduceImpl(const float* x, float* out, const std::vector<int64_t>& shape, const std::vector<int64_t>& reduced) {
  using A = Acc<Op>;
  // Collapse into blocks of (size, reduced?), skipping size-1 dimensions.
  std::vector<int64_t> size;
  std::vector<bool> red;
  int64_t total = 1, count = 1;
  for (size_t i = 0; i < shape.size(); i++) {
    total *= shape[i];
    if (reduced[i]) count *= shape[i];
    if (shape[i] == 1) continue;
    const bool r = reduced[i] != 0;
    if (!size.empty() && red.back() == r) {
      size.back() *= shape[i];
    } else {
      size.push_back(shape[i]);
      red.push_back(r);
    }
  }
  if (total == 0) {  // an empty input: every output is the reduction of nothing (0, NaN for a mean, -inf...)
    int64_t outN = 1;
    for (size_t i = 0; i < shape.size(); i++)
      if (!reduced[i]) outN *= shape[i];
    for (int64_t i = 0; i < outN; i++) out[i] = A::finish(A::init(), count);
    return;
  }
  const int threads = threadsFor(total);
  const size_t nb = size.size();
  if (nb == 0 || (nb == 1 && !red[0])) {  // nothing to reduce
    const int64_t n = total;
#pragma omp parallel for simd num_threads(threads) schedule(static)
    for (int64_t i = 0; i < n; i++) out[i] = A::finish(A::add(A::init(), x[i]), 1);
    return;
  }
  if (nb == 1) {  // everything
    using T = typename A::T;
    const int t = threads;
    std::vector<T> partial(t, A::init());
#pragma omp parallel for num_threads(t) schedule(static)
    for (int k = 0; k < t; k++) {
      const int64_t s = total * k / t, e = total * (k + 1) / t;
      partial[k] = reduceRun<Op>(x + s, e - s, 1);
    }
    T acc = partial[0];
    for (int k = 1; k < t; k++) acc = A::merge(acc, partial[k]);
    out[0] = A::finish(acc, count);
    return;
  }
  if (nb == 2 && !red[0]) {  // [K, R]: reduce contiguous rows
    const int64_t K = size[0], R = size[1];
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t k = 0; k < K; k++) out[k] = A::finish(reduceRun<Op>(x + k * R, R, 1), count);
    return;
  }
  if (nb == 2) {  // [R, K]: reduce columns
    columnReduce<Op>(x, out, size[0], size[1], count, threads);
    return;
  }
  if (nb == 3 && !red[0]) {  // [K1, R, K2]
    const int64_t K1 = size[0], R = size[1], K2 = size[2];
    if (K1 >= 2 * threads) {
#pragma omp parallel for num_threads(threads) schedule(static)
      for (int64_t k = 0; k < K1; k++) columnReduce<Op>(x + k * R * K2, out + k * K2, R, K2, count, 1);
    } else {
      for (int64_t k = 0; k < K1; k++) columnReduce<Op>(x + k * R * K2, out + k * K2, R, K2, count, threads);
    }
    return;
  }
  // Anything else: one pass over the input with an odometer over the blocks.
  using T = typename A::T;
  int64_t outN = 1;
  for (size_t i = 0; i < nb; i++)
    if (!red[i]) outN *= size[i];
  std::vector<T> acc(outN, A::init());
  std::vector<int64_t> outStride(nb, 0);
  int64_t st = 1;
  for (size_t i = nb; i-- > 0;) {
    if (!red[i]) {
      outStride[i] = st;
      st *= size[i];
    }
  }
  std::vector<int64_t> idx(nb, 0);
  int64_t o = 0;
  for (int64_t i = 0; i < total; i++) {
    acc[o] = A::add(acc[o], x[i]);
    for (size_t d = nb; d-- > 0;) {
      idx[d]++;
      o += outStride[d];
      if (idx[d] < size[d]) break;
      o -= outStride[d] * size[d];
      idx[d] = 0;
    }
  }
  for (int64_t i = 0; i < outN; i++) out[i] = A::finish(acc[i], count);
}

// reduce(op, x, out, shape: Int32Array, reducedAxes: Int32Array of 0/1 per dimension)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  return guarded(info, "reduce", [&]() -> Napi::Value {
    const int64_t op = i64(info[0], "op");
    const F32 xa = f32(info[1], "x"), outa = f32(info[2], "out");
    std::vector<int64_t> shape = ints(info[3], "shape");
    std::vector<int64_t> red = ints(info[4], "reduced");
    AA_REQUIRE(red.size() == shape.size(), "reduced must have one 0/1 entry per dimension (" + std::to_string(shape.size()) + ")");
    std::vector<int64_t> kept;
    for (size_t i = 0; i < shape.size(); i++) {
      AA_REQUIRE(red[i] == 0 || red[i] == 1, "reduced must hold 0 or 1 per dimension, got " + show(red));
      if (!red[i]) kept.push_back(shape[i]);
    }
    expectLength(xa, count(shape, "shape"), "x");
    expectLength(outa, count(kept, "the output shape"), "out");
    const float* x = xa.p;
    float* out = outa.p;
    switch (op) {
      case kSum:
        reduceImpl<kSum>(x, out, shape, red);
        break;
      case kMean:
        reduceImpl<kMean>(x, out, shape, red);
        break;
      case kMax:
        reduceImpl<kMax>(x, out, shape, red);
        break;
      case kMin:
        reduceImpl<kMin>(x, out, shape, red);
        break;
      case kProd:
        reduceImpl<kProd>(x, out, shape, red);
        break;
      default:
        throw Napi::Error::New(info.Env(), "reduce: unknown op");
    }
    return info.Env().Undefined();
  });
}

}  // namespace

void registerReduce(Napi::Env env, Napi::Object exports) {
  exports.Set("reduce", Napi::Function::New(env, Reduce));
}

}  // namespace aa
