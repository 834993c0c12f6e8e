// Shared helpers of the @aa/backend-onednn addon: argument access, threading, error wrapping.
// Every entry point works in place on typed arrays that JavaScript allocated (tfjs owns the memory).
#pragma once

#include <napi.h>
#include <omp.h>

#include <cmath>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

namespace aa {

// Below this many elements a parallel region costs more than it saves. Element-wise loops are
// memory-bound, and on the 2-vCPU development machine (two hyperthreads of one core) a second
// thread doubles their bandwidth (28.6 -> 55 GB/s for an add, while sgemm stays at 323 -> 333
// GFLOP/s); waking the other thread costs a few microseconds, what 32K elements take on one.
// Measured on the ResNet step: 4M elements -> 283 img/s, 8K-128K -> 314-343 img/s.
constexpr int64_t kParallelMin = 1 << 15;

// ---------------------------------------------------------------- argument checks
// Every entry point reads its arguments through these helpers and checks the geometry it is given
// against the lengths of the buffers it received before touching memory. A failed check throws an
// ArgError, which guarded() turns into a JavaScript Error; nothing has been read or written then.

struct ArgError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

[[noreturn]] inline void argFail(const std::string& msg) { throw ArgError(msg); }

// The message is only built when the check fails (these run on every kernel call).
#define AA_REQUIRE(cond, msg)         \
  do {                                \
    if (!(cond)) ::aa::argFail(msg);  \
  } while (0)

// A float32 buffer argument: its data and element count.
struct F32 {
  float* p = nullptr;
  int64_t n = 0;
};

inline bool isF32(const Napi::Value& v) {
  return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array;
}

inline F32 f32(const Napi::Value& v, const char* name) {
  AA_REQUIRE(isF32(v), std::string(name) + " must be a Float32Array");
  auto a = v.As<Napi::Float32Array>();
  return {a.Data(), static_cast<int64_t>(a.ElementLength())};
}

// null / undefined give {nullptr, 0}.
inline F32 f32OrNull(const Napi::Value& v, const char* name) {
  if (v.IsNull() || v.IsUndefined()) return {};
  return f32(v, name);
}

inline int64_t i64(const Napi::Value& v, const char* name) {
  AA_REQUIRE(v.IsNumber(), std::string(name) + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  AA_REQUIRE(std::isfinite(d) && d == std::floor(d) && std::fabs(d) <= 9007199254740992.0, std::string(name) + " must be an integer");
  return static_cast<int64_t>(d);
}

inline float fl(const Napi::Value& v, const char* name) {
  AA_REQUIRE(v.IsNumber(), std::string(name) + " must be a number");
  return v.As<Napi::Number>().FloatValue();
}

inline std::vector<int64_t> ints(const Napi::Value& v, const char* name) {
  AA_REQUIRE(v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_int32_array, std::string(name) + " must be an Int32Array");
  auto a = v.As<Napi::Int32Array>();
  std::vector<int64_t> out(a.ElementLength());
  for (size_t i = 0; i < out.size(); i++) out[i] = a[i];
  return out;
}

inline std::string show(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); i++) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

// a * b, refusing overflow (element counts of huge shapes).
inline int64_t mulChecked(int64_t a, int64_t b, const char* what) {
  int64_t r;
  AA_REQUIRE(!__builtin_mul_overflow(a, b, &r), std::string(what) + " overflows");
  return r;
}

// The element count of a shape whose dimensions must all be >= 0.
inline int64_t count(const std::vector<int64_t>& dims, const char* name) {
  int64_t n = 1;
  for (int64_t d : dims) {
    AA_REQUIRE(d >= 0, std::string(name) + " must have dimensions >= 0, got " + show(dims));
    n = mulChecked(n, d, name);
  }
  return n;
}

// The buffer must hold exactly the elements the geometry describes.
inline void expectLength(const F32& a, int64_t n, const char* name) {
  AA_REQUIRE(a.n == n, std::string(name) + " has " + std::to_string(a.n) + " elements, the geometry needs " + std::to_string(n));
}

// Threads for a loop of `work` elements: 1 when small, so tiny kernels stay on the calling thread.
inline int threadsFor(int64_t work) {
  return work < kParallelMin ? 1 : omp_get_max_threads();
}

// Runs `body` and turns C++ exceptions (oneDNN's dnnl::error included) into JavaScript errors.
template <typename F>
Napi::Value guarded(const Napi::CallbackInfo& info, const char* name, F body) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string(name) + ": " + e.what());
  }
}

void registerConv(Napi::Env env, Napi::Object exports);
void registerMatmul(Napi::Env env, Napi::Object exports);
void registerPool(Napi::Env env, Napi::Object exports);
void registerElementwise(Napi::Env env, Napi::Object exports);
void registerReduce(Napi::Env env, Napi::Object exports);
void registerLayout(Napi::Env env, Napi::Object exports);
void registerNorm(Napi::Env env, Napi::Object exports);
void registerMemory(Napi::Env env, Napi::Object exports);

// Activation codes shared by the fused kernels (FusedConv2D, _FusedMatMul, FusedDepthwiseConv2D).
enum Activation { kLinear = 0, kRelu = 1, kRelu6 = 2, kElu = 3, kSigmoid = 4, kLeakyRelu = 5 };

// Applies a fused activation in place, with tfjs-backend-cpu's formulas.
void applyActivation(float* y, int64_t n, int act, float alpha);

}  // namespace aa
