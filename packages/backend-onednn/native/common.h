// Shared helpers of the @aa/backend-onednn addon: argument access, threading, error wrapping.
// Every entry point works in place on typed arrays that JavaScript allocated (tfjs owns the memory).
#pragma once

#include <napi.h>
#include <omp.h>

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

namespace aa {

// Below this many elements a parallel region costs more than it saves. Memory-bound loops gain
// little from a second thread, while waking one costs up to a scheduler tick on a busy machine,
// so only very large element-wise work is split (the convolutions and products always use all
// OpenMP threads, inside oneDNN).
constexpr int64_t kParallelMin = 1 << 22;

inline float* f32(const Napi::Value& v) {
  return v.As<Napi::Float32Array>().Data();
}

inline float* f32OrNull(const Napi::Value& v) {
  if (v.IsNull() || v.IsUndefined()) return nullptr;
  return v.As<Napi::Float32Array>().Data();
}

inline size_t f32Len(const Napi::Value& v) {
  return v.As<Napi::Float32Array>().ElementLength();
}

inline int64_t i64(const Napi::Value& v) {
  return v.As<Napi::Number>().Int64Value();
}

inline float fl(const Napi::Value& v) {
  return v.As<Napi::Number>().FloatValue();
}

inline std::vector<int64_t> ints(const Napi::Value& v) {
  auto a = v.As<Napi::Int32Array>();
  std::vector<int64_t> out(a.ElementLength());
  for (size_t i = 0; i < out.size(); i++) out[i] = a[i];
  return out;
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

// Activation codes shared by the fused kernels (FusedConv2D, _FusedMatMul, FusedDepthwiseConv2D).
enum Activation { kLinear = 0, kRelu = 1, kRelu6 = 2, kElu = 3, kSigmoid = 4, kLeakyRelu = 5 };

// Applies a fused activation in place, with tfjs-backend-cpu's formulas.
void applyActivation(float* y, int64_t n, int act, float alpha);

}  // namespace aa
