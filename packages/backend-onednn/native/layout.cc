// Data movement: transpose, slice, tile, constant and mirror padding. Each is a row-wise copy
// into a contiguous output: the outer index of a row is decoded once, the innermost dimension is a
// tight loop (a memcpy-like run whenever the source is contiguous too).
#include <cstring>

#include "common.h"

namespace aa {

namespace {

// out[i0..ir-1] = x[base + sum_d i_d * inStride[d]] for the contiguous output `shape`.
void stridedGather(const float* x, float* out, const std::vector<int64_t>& shape, const std::vector<int64_t>& inStride,
                   int64_t base) {
  const int r = static_cast<int>(shape.size());
  if (r == 0) {
    out[0] = x[base];
    return;
  }
  const int64_t inner = shape[r - 1];
  const int64_t step = inStride[r - 1];
  int64_t rows = 1;
  for (int d = 0; d < r - 1; d++) rows *= shape[d];
  if (rows * inner == 0) return;
#pragma omp parallel for num_threads(threadsFor(rows * inner)) schedule(static)
  for (int64_t row = 0; row < rows; row++) {
    int64_t rem = row, off = base;
    for (int d = r - 2; d >= 0; d--) {
      off += (rem % shape[d]) * inStride[d];
      rem /= shape[d];
    }
    float* o = out + row * inner;
    const float* s = x + off;
    if (step == 1) {
      std::memcpy(o, s, sizeof(float) * inner);
    } else {
      for (int64_t j = 0; j < inner; j++) o[j] = s[j * step];
    }
  }
}

std::vector<int64_t> stridesOf(const std::vector<int64_t>& shape) {
  std::vector<int64_t> s(shape.size());
  int64_t k = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    s[i] = k;
    k *= shape[i];
  }
  return s;
}

// transpose(x, out, shape, perm)
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  return guarded(info, "transpose", [&]() -> Napi::Value {
    const float* x = f32(info[0]);
    float* out = f32(info[1]);
    std::vector<int64_t> shape = ints(info[2]), perm = ints(info[3]);
    std::vector<int64_t> xs = stridesOf(shape), outShape(shape.size()), inStride(shape.size());
    for (size_t i = 0; i < perm.size(); i++) {
      outShape[i] = shape[perm[i]];
      inStride[i] = xs[perm[i]];
    }
    stridedGather(x, out, outShape, inStride, 0);
    return info.Env().Undefined();
  });
}

// slice(x, out, shape, begin, size, step): step 1 for Slice; StridedSlice passes its strides.
Napi::Value Slice(const Napi::CallbackInfo& info) {
  return guarded(info, "slice", [&]() -> Napi::Value {
    const float* x = f32(info[0]);
    float* out = f32(info[1]);
    std::vector<int64_t> shape = ints(info[2]), begin = ints(info[3]), size = ints(info[4]), step = ints(info[5]);
    std::vector<int64_t> xs = stridesOf(shape), inStride(shape.size());
    int64_t base = 0;
    for (size_t i = 0; i < shape.size(); i++) {
      base += begin[i] * xs[i];
      inStride[i] = xs[i] * step[i];
    }
    stridedGather(x, out, size, inStride, base);
    return info.Env().Undefined();
  });
}

// tile(x, out, shape, reps)
Napi::Value Tile(const Napi::CallbackInfo& info) {
  return guarded(info, "tile", [&]() -> Napi::Value {
    const float* x = f32(info[0]);
    float* out = f32(info[1]);
    std::vector<int64_t> shape = ints(info[2]), reps = ints(info[3]);
    const int r = static_cast<int>(shape.size());
    if (r == 0) {
      out[0] = x[0];
      return info.Env().Undefined();
    }
    std::vector<int64_t> xs = stridesOf(shape), outShape(r);
    for (int i = 0; i < r; i++) outShape[i] = shape[i] * reps[i];
    // The common case (a reduction's gradient broadcast back): the whole input repeated as one
    // block, i.e. size-1 leading dimensions tiled and the rest copied. Fill by doubling memcpys.
    int k = 0;
    while (k < r && shape[k] == 1) k++;
    bool block = true;
    for (int i = k; i < r; i++) block = block && reps[i] == 1;
    if (block) {
      int64_t inSize = 1, copies = 1;
      for (int i = 0; i < r; i++) {
        inSize *= shape[i];
        copies *= reps[i];
      }
      const int64_t total = inSize * copies;
      if (total == 0) return info.Env().Undefined();
      std::memcpy(out, x, sizeof(float) * inSize);
      int64_t filled = inSize;
      while (filled < total) {
        const int64_t n = filled < total - filled ? filled : total - filled;
        std::memcpy(out + filled, out, sizeof(float) * n);
        filled += n;
      }
      return info.Env().Undefined();
    }
    const int64_t inner = outShape[r - 1], inInner = shape[r - 1];
    int64_t rows = 1;
    for (int d = 0; d < r - 1; d++) rows *= outShape[d];
    if (rows * inner == 0) return info.Env().Undefined();
#pragma omp parallel for num_threads(threadsFor(rows * inner)) schedule(static)
    for (int64_t row = 0; row < rows; row++) {
      int64_t rem = row, off = 0;
      for (int d = r - 2; d >= 0; d--) {
        off += ((rem % outShape[d]) % shape[d]) * xs[d];
        rem /= outShape[d];
      }
      float* o = out + row * inner;
      const float* s = x + off;
      if (inInner == 1) {
        const float v = s[0];
        for (int64_t j = 0; j < inner; j++) o[j] = v;
      } else {
        for (int64_t k = 0; k < reps[r - 1]; k++) std::memcpy(o + k * inInner, s, sizeof(float) * inInner);
      }
    }
    return info.Env().Undefined();
  });
}

// pad(x, out, shape, before, after, mode, value): mode 0 constant, 1 reflect, 2 symmetric.
Napi::Value Pad(const Napi::CallbackInfo& info) {
  return guarded(info, "pad", [&]() -> Napi::Value {
    const float* x = f32(info[0]);
    float* out = f32(info[1]);
    std::vector<int64_t> shape = ints(info[2]), before = ints(info[3]), after = ints(info[4]);
    const int mode = static_cast<int>(i64(info[5]));
    const float value = fl(info[6]);
    const int r = static_cast<int>(shape.size());
    std::vector<int64_t> outShape(r);
    for (int i = 0; i < r; i++) outShape[i] = shape[i] + before[i] + after[i];
    std::vector<int64_t> xs = stridesOf(shape);
    // Per dimension: the source index of every output index, or -1 for a constant pad.
    std::vector<std::vector<int64_t>> map(r);
    for (int d = 0; d < r; d++) {
      map[d].resize(outShape[d]);
      for (int64_t o = 0; o < outShape[d]; o++) {
        int64_t i = o - before[d];
        if (i < 0 || i >= shape[d]) {
          if (mode == 0) {
            i = -1;
          } else if (mode == 1) {  // reflect: edge not repeated
            i = i < 0 ? -i : 2 * (shape[d] - 1) - i;
          } else {  // symmetric: edge repeated
            i = i < 0 ? -i - 1 : 2 * shape[d] - 1 - i;
          }
        }
        map[d][o] = i;
      }
    }
    const int64_t inner = outShape[r - 1];
    int64_t rows = 1;
    for (int d = 0; d < r - 1; d++) rows *= outShape[d];
    if (rows * inner == 0) return info.Env().Undefined();
    const std::vector<int64_t>& last = map[r - 1];
    const int64_t b = before[r - 1], n = shape[r - 1];
#pragma omp parallel for num_threads(threadsFor(rows * inner)) schedule(static)
    for (int64_t row = 0; row < rows; row++) {
      int64_t rem = row, off = 0;
      bool constant = false;
      for (int d = r - 2; d >= 0; d--) {
        const int64_t i = map[d][rem % outShape[d]];
        rem /= outShape[d];
        if (i < 0) constant = true;
        off += i * xs[d];
      }
      float* o = out + row * inner;
      if (constant) {
        for (int64_t j = 0; j < inner; j++) o[j] = value;
        continue;
      }
      const float* s = x + off;
      if (mode == 0) {
        for (int64_t j = 0; j < b; j++) o[j] = value;
        std::memcpy(o + b, s, sizeof(float) * n);
        for (int64_t j = b + n; j < inner; j++) o[j] = value;
      } else {
        for (int64_t j = 0; j < inner; j++) o[j] = s[last[j]];
      }
    }
    return info.Env().Undefined();
  });
}

// concat(inputs: Float32Array[], out, outer, inners: Int32Array): inputs are [outer, inner_i],
// out is [outer, sum(inner_i)] (any concatenation after collapsing the axes before and after it).
Napi::Value Concat(const Napi::CallbackInfo& info) {
  return guarded(info, "concat", [&]() -> Napi::Value {
    Napi::Array list = info[0].As<Napi::Array>();
    float* out = f32(info[1]);
    const int64_t outer = i64(info[2]);
    std::vector<int64_t> inner = ints(info[3]);
    std::vector<const float*> src(list.Length());
    for (uint32_t i = 0; i < list.Length(); i++) src[i] = f32(list.Get(i));
    int64_t width = 0;
    for (int64_t w : inner) width += w;
    const size_t k = src.size();
#pragma omp parallel for num_threads(threadsFor(outer * width)) schedule(static)
    for (int64_t r = 0; r < outer; r++) {
      float* o = out + r * width;
      for (size_t j = 0; j < k; j++) {
        std::memcpy(o, src[j] + r * inner[j], sizeof(float) * inner[j]);
        o += inner[j];
      }
    }
    return info.Env().Undefined();
  });
}

}  // namespace

void registerLayout(Napi::Env env, Napi::Object exports) {
  exports.Set("transpose", Napi::Function::New(env, Transpose));
  exports.Set("slice", Napi::Function::New(env, Slice));
  exports.Set("tile", Napi::Function::New(env, Tile));
  exports.Set("pad", Napi::Function::New(env, Pad));
  exports.Set("concat", Napi::Function::New(env, Concat));
}

}  // namespace aa
