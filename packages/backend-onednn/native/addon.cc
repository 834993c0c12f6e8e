// Entry point of the addon: registers every kernel family and a few runtime controls.
#include <dnnl.hpp>

#include "common.h"

namespace aa {

static Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  return guarded(info, "setThreads", [&]() -> Napi::Value {
    const int64_t n = i64(info[0], "n");
    AA_REQUIRE(n >= 1 && n <= 4096, "n must be between 1 and 4096, got " + std::to_string(n));
    omp_set_num_threads(static_cast<int>(n));
    return Napi::Number::New(info.Env(), omp_get_max_threads());
  });
}

static Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), omp_get_max_threads());
}

// The element count from which the addon's own loops run on every OpenMP thread (tests size their
// inputs above it to reach the threaded paths).
static Napi::Value ParallelMinElements(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(kParallelMin));
}

static Napi::Value Version(const Napi::CallbackInfo& info) {
  const dnnl_version_t* v = dnnl_version();
  std::string s = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  return Napi::String::New(info.Env(), s);
}

// Which instruction set this build's own loops were compiled for (oneDNN picks its own at run time).
static Napi::Value Variant(const Napi::CallbackInfo& info) {
#if defined(__AVX512F__)
  const char* v = "avx512";
#elif defined(__AVX2__) && defined(__FMA__)
  const char* v = "avx2";
#else
  const char* v = "baseline";
#endif
  return Napi::String::New(info.Env(), v);
}

// Whether this CPU (and the OS, for the AVX state) runs the AVX2 + FMA build.
static Napi::Value CpuHasAvx2(const Napi::CallbackInfo& info) {
  bool ok = false;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return Napi::Boolean::New(info.Env(), ok);
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("variant", Napi::Function::New(env, Variant));
  exports.Set("cpuHasAvx2", Napi::Function::New(env, CpuHasAvx2));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("getThreads", Napi::Function::New(env, GetThreads));
  exports.Set("parallelMinElements", Napi::Function::New(env, ParallelMinElements));
  exports.Set("onednnVersion", Napi::Function::New(env, Version));
  registerConv(env, exports);
  registerMatmul(env, exports);
  registerPool(env, exports);
  registerElementwise(env, exports);
  registerReduce(env, exports);
  registerLayout(env, exports);
  registerNorm(env, exports);
  registerMemory(env, exports);
  return exports;
}

}  // namespace aa

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return aa::Init(env, exports); }

NODE_API_MODULE(onednn, InitModule)
