// Memory helpers for the buffer pool (pool.ts), and a guard-page allocator compiled only into the
// sanitizer test build (AA_ONEDNN_TESTING).
#include "common.h"

#ifdef __linux__
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace aa {

namespace {

// decommit(a: Float32Array) -> bytes: returns the whole pages inside `a` to the operating system.
// The array stays valid (Linux maps those pages to zeros again on the next touch), so a pooled buffer
// that waits for reuse holds no resident memory. Only for arrays whose contents nobody needs.
Napi::Value Decommit(const Napi::CallbackInfo& info) {
  return guarded(info, "decommit", [&]() -> Napi::Value {
    const F32 a = f32(info[0], "a");
    double released = 0;
#ifdef __linux__
    const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const uintptr_t start = reinterpret_cast<uintptr_t>(a.p), end = start + static_cast<uintptr_t>(a.n) * sizeof(float);
    // Only pages entirely inside the array: the allocator's bookkeeping around it is left alone.
    const uintptr_t first = (start + page - 1) & ~(page - 1), last = end & ~(page - 1);
    if (a.p != nullptr && last > first && madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED) == 0) {
      released = static_cast<double>(last - first);
    }
#endif
    return Napi::Number::New(info.Env(), released);
  });
}

#if defined(AA_ONEDNN_TESTING) && defined(__linux__)
// guardedFloat32Array(n, alignEnd) -> a Float32Array of n elements between two inaccessible pages,
// touching the one after it (alignEnd true) or the one before it: any read or write past that edge,
// even from uninstrumented code such as oneDNN's JIT kernels, is a segmentation fault.
Napi::Value GuardedFloat32Array(const Napi::CallbackInfo& info) {
  return guarded(info, "guardedFloat32Array", [&]() -> Napi::Value {
    const int64_t n = i64(info[0], "n");
    const bool alignEnd = info[1].ToBoolean().Value();
    AA_REQUIRE(n >= 1 && n <= (int64_t{1} << 30), "n must be between 1 and 2^30");
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t bytes = static_cast<size_t>(n) * sizeof(float);
    const size_t dataPages = (bytes + page - 1) / page;
    const size_t total = (dataPages + 2) * page;
    void* base = mmap(nullptr, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    AA_REQUIRE(base != MAP_FAILED, "mmap failed");
    char* data = static_cast<char*>(base) + page;
    if (mprotect(data, dataPages * page, PROT_READ | PROT_WRITE) != 0) {
      munmap(base, total);
      argFail("mprotect failed");
    }
    char* start = alignEnd ? data + dataPages * page - bytes : data;
    struct Hint {
      void* base;
      size_t total;
    };
    auto* hint = new Hint{base, total};
    Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(
        info.Env(), start, bytes,
        [](Napi::Env, void*, Hint* h) {
          munmap(h->base, h->total);
          delete h;
        },
        hint);
    return Napi::Float32Array::New(info.Env(), static_cast<size_t>(n), buffer, 0);
  });
}
#endif

}  // namespace

void registerMemory(Napi::Env env, Napi::Object exports) {
  exports.Set("decommit", Napi::Function::New(env, Decommit));
#if defined(AA_ONEDNN_TESTING) && defined(__linux__)
  exports.Set("guardedFloat32Array", Napi::Function::New(env, GuardedFloat32Array));
#endif
}

}  // namespace aa
