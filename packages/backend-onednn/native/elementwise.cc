// Element-wise kernels: unary maps, binary maps with numpy/tfjs broadcasting, AddN and softmax.
// Formulas follow tfjs-backend-cpu (NaN propagation included). Broadcasting collapses the shapes to
// the fewest dimensions first, so the innermost loop is a long contiguous run whenever possible.
#include <cmath>
#include <cstring>
#include <limits>

#include "common.h"

namespace aa {

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// ---------------------------------------------------------------- unary

enum Unary {
  kURelu = 0,
  kURelu6 = 1,
  kUExp = 2,
  kULog = 3,
  kUNeg = 4,
  kUSqrt = 5,
  kURsqrt = 6,
  kUSquare = 7,
  kUAbs = 8,
  kUSigmoid = 9,
  kUTanh = 10,
  kUStep = 11,
  kUReciprocal = 12,
  kUElu = 13,
  kULeakyRelu = 14,
  kUSoftplus = 15,
  kULog1p = 16,
  kUClip = 17,
};

// Softplus thresholds of the cpu kernel: log(2^-23) + 2.
const float kSoftplusThreshold = std::log(1.1920928955078125e-7f) + 2.f;

template <int Op>
inline float unaryOp(float x, float alpha, float beta) {
  switch (Op) {
    // Math.max(0, x) (and Math.min(.., 6)): NaN stays NaN, -0 and negatives give +0.
    case kURelu:
      return x > 0.f ? x : (x != x ? x : 0.f);
    case kURelu6:
      return x > 0.f ? (x > 6.f ? 6.f : x) : (x != x ? x : 0.f);
    case kUExp:
      return std::exp(x);
    case kULog:
      return std::log(x);
    case kUNeg:
      return -x;
    case kUSqrt:
      return std::sqrt(x);
    case kURsqrt:
      return 1.f / std::sqrt(x);
    case kUSquare:
      return x * x;
    case kUAbs:
      return std::fabs(x);
    case kUSigmoid:
      return 1.f / (1.f + std::exp(-x));
    case kUTanh:
      return std::tanh(x);
    case kUStep:
      return x > 0.f ? 1.f : (x != x ? x : alpha);
    case kUReciprocal:
      return 1.f / x;
    case kUElu:
      return x >= 0.f ? x : std::expm1(x);
    case kULeakyRelu:
      return x < 0.f ? alpha * x : x;
    case kUSoftplus: {
      if (x < kSoftplusThreshold) return std::exp(x);
      if (x > -kSoftplusThreshold) return x;
      return std::log1p(std::exp(x));
    }
    case kULog1p:
      return std::log1p(x);
    case kUClip:
      // The cpu kernel's order: the maximum is tested first (it decides when min > max).
      return x > beta ? beta : (x < alpha ? alpha : x);
  }
  return x;
}

template <int Op>
void unaryRun(const float* x, float* y, int64_t n, float alpha, float beta) {
#pragma omp parallel for simd num_threads(threadsFor(n)) schedule(static)
  for (int64_t i = 0; i < n; i++) y[i] = unaryOp<Op>(x[i], alpha, beta);
}

using UnaryFn = void (*)(const float*, float*, int64_t, float, float);

const UnaryFn kUnaryTable[] = {
    unaryRun<0>,  unaryRun<1>,  unaryRun<2>,  unaryRun<3>,  unaryRun<4>,  unaryRun<5>,
    unaryRun<6>,  unaryRun<7>,  unaryRun<8>,  unaryRun<9>,  unaryRun<10>, unaryRun<11>,
    unaryRun<12>, unaryRun<13>, unaryRun<14>, unaryRun<15>, unaryRun<16>, unaryRun<17>,
};
constexpr int kUnaryCount = sizeof(kUnaryTable) / sizeof(kUnaryTable[0]);

// unary(op, x, y, alpha, beta)
Napi::Value UnaryKernel(const Napi::CallbackInfo& info) {
  return guarded(info, "unary", [&]() -> Napi::Value {
    const int64_t op = i64(info[0], "op");
    AA_REQUIRE(op >= 0 && op < kUnaryCount, "unknown op " + std::to_string(op));
    const F32 x = f32(info[1], "x"), y = f32(info[2], "y");
    expectLength(x, y.n, "x");
    kUnaryTable[op](x.p, y.p, y.n, fl(info[3], "alpha"), fl(info[4], "beta"));
    return info.Env().Undefined();
  });
}

// ---------------------------------------------------------------- binary

enum Binary { kBAdd = 0, kBSub = 1, kBMul = 2, kBDiv = 3, kBMax = 4, kBMin = 5, kBSqDiff = 6, kBPow = 7 };

template <int Op>
inline float binaryOp(float a, float b) {
  switch (Op) {
    case kBAdd:
      return a + b;
    case kBSub:
      return a - b;
    case kBMul:
      return a * b;
    case kBDiv:
      return a / b;
    case kBMax:  // Math.max: NaN if either is NaN
      return (a != a || b != b) ? kNaN : (a > b ? a : b);
    case kBMin:
      return (a != a || b != b) ? kNaN : (a < b ? a : b);
    case kBSqDiff: {
      const float d = a - b;
      return d * d;
    }
    case kBPow:
      // Math.pow, not C's pow: pow(1, NaN) and pow(-1, +-Infinity) are NaN in JavaScript, 1 in C.
      if (b != b || (std::isinf(b) && std::fabs(a) == 1.f)) return kNaN;
      return std::pow(a, b);
  }
  return 0.f;
}

// One contiguous run of the innermost dimension; a stride of 0 repeats that operand's element.
template <int Op>
inline void binaryRun(const float* a, bool stepA, const float* b, bool stepB, float* o, int64_t n) {
  if (stepA && stepB) {
#pragma omp simd
    for (int64_t i = 0; i < n; i++) o[i] = binaryOp<Op>(a[i], b[i]);
  } else if (stepA) {
    const float bv = b[0];
#pragma omp simd
    for (int64_t i = 0; i < n; i++) o[i] = binaryOp<Op>(a[i], bv);
  } else if (stepB) {
    const float av = a[0];
#pragma omp simd
    for (int64_t i = 0; i < n; i++) o[i] = binaryOp<Op>(av, b[i]);
  } else {
    const float v = binaryOp<Op>(a[0], b[0]);
    for (int64_t i = 0; i < n; i++) o[i] = v;
  }
}

struct Broadcast {
  int rank = 0;
  int64_t shape[8];
  int64_t sa[8];
  int64_t sb[8];
};

// Drops size-1 dimensions and merges neighbours that both operands traverse contiguously.
Broadcast collapse(const std::vector<int64_t>& out, const std::vector<int64_t>& as, const std::vector<int64_t>& bs) {
  const int r = static_cast<int>(out.size());
  std::vector<int64_t> sa(r), sb(r);
  int64_t ka = 1, kb = 1;
  for (int i = r - 1; i >= 0; i--) {
    sa[i] = as[i] == 1 ? 0 : ka;
    sb[i] = bs[i] == 1 ? 0 : kb;
    ka *= as[i];
    kb *= bs[i];
  }
  Broadcast bc;
  // Build from the innermost dimension outwards, then reverse.
  int64_t shape[8], A[8], B[8];
  int n = 0;
  for (int i = r - 1; i >= 0; i--) {
    if (out[i] == 1) continue;
    if (n > 0 && sa[i] == A[n - 1] * shape[n - 1] && sb[i] == B[n - 1] * shape[n - 1]) {
      shape[n - 1] *= out[i];
      continue;
    }
    if (n == 8) throw std::runtime_error("broadcast rank above 8");
    shape[n] = out[i];
    A[n] = sa[i];
    B[n] = sb[i];
    n++;
  }
  bc.rank = n;
  for (int i = 0; i < n; i++) {
    bc.shape[i] = shape[n - 1 - i];
    bc.sa[i] = A[n - 1 - i];
    bc.sb[i] = B[n - 1 - i];
  }
  return bc;
}

template <int Op>
void binaryBroadcast(const float* a, const float* b, float* o, const Broadcast& bc) {
  if (bc.rank == 0) {
    o[0] = binaryOp<Op>(a[0], b[0]);
    return;
  }
  const int last = bc.rank - 1;
  const int64_t inner = bc.shape[last];
  const bool stepA = bc.sa[last] != 0, stepB = bc.sb[last] != 0;
  int64_t rows = 1;
  for (int i = 0; i < last; i++) rows *= bc.shape[i];
  const int64_t total = rows * inner;
  if (rows == 1) {
    // One long run: split it into chunks.
    const int t = threadsFor(total);
    const int64_t chunk = (inner + t - 1) / t;
#pragma omp parallel for num_threads(t) schedule(static)
    for (int k = 0; k < t; k++) {
      const int64_t s = k * chunk, e = s + chunk < inner ? s + chunk : inner;
      if (s < e) binaryRun<Op>(a + (stepA ? s : 0), stepA, b + (stepB ? s : 0), stepB, o + s, e - s);
    }
    return;
  }
  // [rows, inner] against a [inner] vector repeated on every row (a channel vector against NHWC):
  // short rows would make the loop overhead dominate, so tile the vector to a long period and run
  // over the flat array in chunks of that period.
  if (bc.rank == 2 && inner < 1024 && stepA && stepB &&
      ((bc.sa[0] == inner && bc.sb[0] == 0) || (bc.sa[0] == 0 && bc.sb[0] == inner))) {
    const bool tileB = bc.sb[0] == 0;
    const float* vec = tileB ? b : a;
    const float* full = tileB ? a : b;
    const int64_t reps = (4096 + inner - 1) / inner;
    const int64_t period = reps * inner;
    std::vector<float> tiled(period);
    for (int64_t k = 0; k < reps; k++) std::memcpy(tiled.data() + k * inner, vec, sizeof(float) * inner);
    const float* t = tiled.data();
    const int64_t chunks = (total + period - 1) / period;
#pragma omp parallel for num_threads(threadsFor(total)) schedule(static)
    for (int64_t c = 0; c < chunks; c++) {
      const int64_t s = c * period, n = s + period < total ? period : total - s;
      if (tileB) binaryRun<Op>(full + s, true, t, true, o + s, n);
      else binaryRun<Op>(t, true, full + s, true, o + s, n);
    }
    return;
  }
#pragma omp parallel for num_threads(threadsFor(total)) schedule(static)
  for (int64_t r = 0; r < rows; r++) {
    int64_t rem = r, offA = 0, offB = 0;
    for (int d = last - 1; d >= 0; d--) {
      const int64_t idx = rem % bc.shape[d];
      rem /= bc.shape[d];
      offA += idx * bc.sa[d];
      offB += idx * bc.sb[d];
    }
    binaryRun<Op>(a + offA, stepA, b + offB, stepB, o + r * inner, inner);
  }
}

using BinaryFn = void (*)(const float*, const float*, float*, const Broadcast&);
const BinaryFn kBinaryTable[] = {binaryBroadcast<0>, binaryBroadcast<1>, binaryBroadcast<2>, binaryBroadcast<3>,
                                 binaryBroadcast<4>, binaryBroadcast<5>, binaryBroadcast<6>, binaryBroadcast<7>};
constexpr int kBinaryCount = sizeof(kBinaryTable) / sizeof(kBinaryTable[0]);

// binary(op, a, b, out, shapes: Int32Array[rank, outShape..., aShape..., bShape...]) with a/b shapes
// left-padded with 1 to the output rank.
Napi::Value BinaryKernel(const Napi::CallbackInfo& info) {
  return guarded(info, "binary", [&]() -> Napi::Value {
    const int64_t op = i64(info[0], "op");
    AA_REQUIRE(op >= 0 && op < kBinaryCount, "unknown op " + std::to_string(op));
    const F32 a = f32(info[1], "a"), b = f32(info[2], "b"), o = f32(info[3], "out");
    std::vector<int64_t> s = ints(info[4], "shapes");
    AA_REQUIRE(!s.empty() && s[0] >= 0 && s[0] <= 8 && s.size() == static_cast<size_t>(1 + 3 * s[0]),
               "shapes must be [rank <= 8, output shape, a's shape, b's shape], got " + show(s));
    const size_t r = static_cast<size_t>(s[0]);
    std::vector<int64_t> out(s.begin() + 1, s.begin() + 1 + r), as(s.begin() + 1 + r, s.begin() + 1 + 2 * r),
        bs(s.begin() + 1 + 2 * r, s.begin() + 1 + 3 * r);
    for (size_t i = 0; i < r; i++) {
      AA_REQUIRE((as[i] == out[i] || as[i] == 1) && (bs[i] == out[i] || bs[i] == 1),
                 "a " + show(as) + " and b " + show(bs) + " do not broadcast to " + show(out));
    }
    const int64_t n = count(out, "the output shape");
    expectLength(a, count(as, "a's shape"), "a");
    expectLength(b, count(bs, "b's shape"), "b");
    expectLength(o, n, "out");
    if (n == 0) return info.Env().Undefined();
    kBinaryTable[op](a.p, b.p, o.p, collapse(out, as, bs));
    return info.Env().Undefined();
  });
}

// addN(inputs: Float32Array[], out)
Napi::Value AddN(const Napi::CallbackInfo& info) {
  return guarded(info, "addN", [&]() -> Napi::Value {
    AA_REQUIRE(info[0].IsArray(), "inputs must be an array of Float32Array");
    Napi::Array list = info[0].As<Napi::Array>();
    AA_REQUIRE(list.Length() >= 1, "addN needs at least one input");
    const F32 oa = f32(info[1], "out");
    float* o = oa.p;
    const int64_t n = oa.n;
    std::vector<const float*> src(list.Length());
    for (uint32_t i = 0; i < list.Length(); i++) {
      const F32 in = f32(list.Get(i), "every input");
      expectLength(in, n, "every input");
      src[i] = in.p;
    }
    const int64_t k = static_cast<int64_t>(src.size());
#pragma omp parallel for num_threads(threadsFor(n * k)) schedule(static)
    for (int64_t c = 0; c < n; c += 4096) {
      const int64_t e = c + 4096 < n ? c + 4096 : n;
      const float* s0 = src[0];
#pragma omp simd
      for (int64_t i = c; i < e; i++) o[i] = s0[i];
      for (int64_t j = 1; j < k; j++) {
        const float* sj = src[j];
#pragma omp simd
        for (int64_t i = c; i < e; i++) o[i] += sj[i];
      }
    }
    return info.Env().Undefined();
  });
}

// softmax(x, out, rows, cols): softmax over the last dimension.
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  return guarded(info, "softmax", [&]() -> Napi::Value {
    const F32 xa = f32(info[0], "x"), ya = f32(info[1], "y");
    const int64_t rows = i64(info[2], "rows"), cols = i64(info[3], "cols");
    AA_REQUIRE(rows >= 0 && cols >= 0, "rows and cols must be >= 0");
    expectLength(xa, mulChecked(rows, cols, "rows * cols"), "x");
    expectLength(ya, xa.n, "y");
    const float* x = xa.p;
    float* y = ya.p;
#pragma omp parallel for num_threads(threadsFor(rows * cols * 4)) schedule(static)
    for (int64_t r = 0; r < rows; r++) {
      const float* xr = x + r * cols;
      float* yr = y + r * cols;
      float m = -std::numeric_limits<float>::infinity();
      bool nan = false;
      for (int64_t c = 0; c < cols; c++) {
        if (xr[c] != xr[c]) nan = true;
        m = xr[c] > m ? xr[c] : m;
      }
      if (nan) m = kNaN;
      double s = 0;
      for (int64_t c = 0; c < cols; c++) {
        yr[c] = std::exp(xr[c] - m);
        s += yr[c];
      }
      const float fs = static_cast<float>(s);
      for (int64_t c = 0; c < cols; c++) yr[c] /= fs;
    }
    return info.Env().Undefined();
  });
}

// reluGrad(x, dy, dx): dx = dy * step(x), tfjs-core's Relu gradient mul(dy, step(x)) in one pass,
// with Step's values (1 for x > 0, NaN for NaN, else 0) so that the products are the same bits.
Napi::Value ReluGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "reluGrad", [&]() -> Napi::Value {
    const F32 xa = f32(info[0], "x"), dya = f32(info[1], "dy"), dxa = f32(info[2], "dx");
    expectLength(dya, xa.n, "dy");
    expectLength(dxa, xa.n, "dx");
    const float* x = xa.p;
    const float* dy = dya.p;
    float* dx = dxa.p;
    const int64_t n = xa.n;
#pragma omp parallel for simd num_threads(threadsFor(n)) schedule(static)
    for (int64_t i = 0; i < n; i++) {
      const float s = x[i] > 0.f ? 1.f : (x[i] != x[i] ? x[i] : 0.f);
      dx[i] = dy[i] * s;
    }
    return info.Env().Undefined();
  });
}

}  // namespace

void applyActivation(float* y, int64_t n, int act, float alpha) {
  switch (act) {
    case kRelu:
      unaryRun<kURelu>(y, y, n, 0.f, 0.f);
      break;
    case kRelu6:
      unaryRun<kURelu6>(y, y, n, 0.f, 0.f);
      break;
    case kElu:
      unaryRun<kUElu>(y, y, n, 0.f, 0.f);
      break;
    case kSigmoid:
      unaryRun<kUSigmoid>(y, y, n, 0.f, 0.f);
      break;
    case kLeakyRelu:
      unaryRun<kULeakyRelu>(y, y, n, alpha, 0.f);
      break;
    default:
      break;
  }
}

void registerElementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("unary", Napi::Function::New(env, UnaryKernel));
  exports.Set("binary", Napi::Function::New(env, BinaryKernel));
  exports.Set("addN", Napi::Function::New(env, AddN));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
  exports.Set("reluGrad", Napi::Function::New(env, ReluGrad));
}

}  // namespace aa
