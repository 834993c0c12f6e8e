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
    const F32 x = f32(info[0], "x"), out = f32(info[1], "out");
    std::vector<int64_t> shape = ints(info[2], "shape"), perm = ints(info[3], "perm");
    const int64_t n = count(shape, "shape");
    const int64_t r = static_cast<int64_t>(shape.size());
    // A repeated or out-of-range axis would make the output's element count differ from the input's.
    std::vector<bool> seen(shape.size(), false);
    bool permutation = perm.size() == shape.size();
    for (size_t i = 0; permutation && i < perm.size(); i++) {
      permutation = perm[i] >= 0 && perm[i] < r && !seen[perm[i]];
      if (permutation) seen[perm[i]] = true;
    }
    AA_REQUIRE(permutation, "perm must be a permutation of the " + std::to_string(r) + " axes, got " + show(perm));
    expectLength(x, n, "x");
    expectLength(out, n, "out");
    if (n == 0) return info.Env().Undefined();
    std::vector<int64_t> xs = stridesOf(shape), outShape(shape.size()), inStride(shape.size());
    for (size_t i = 0; i < perm.size(); i++) {
      outShape[i] = shape[perm[i]];
      inStride[i] = xs[perm[i]];
    }
    stridedGather(x.p, out.p, outShape, inStride, 0);
    return info.Env().Undefined();
  });
}

// slice(x, out, shape, begin, size, step): step 1 for Slice; StridedSlice passes its strides.
Napi::Value Slice(const Napi::CallbackInfo& info) {
  return guarded(info, "slice", [&]() -> Napi::Value {
    const F32 x = f32(info[0], "x"), out = f32(info[1], "out");
    std::vector<int64_t> shape = ints(info[2], "shape"), begin = ints(info[3], "begin"), size = ints(info[4], "size"),
                         step = ints(info[5], "step");
    const size_t r = shape.size();
    AA_REQUIRE(begin.size() == r && size.size() == r && step.size() == r,
               "begin, size and step must have one entry per dimension (" + std::to_string(r) + ")");
    const int64_t n = count(shape, "shape"), m = count(size, "size");
    expectLength(x, n, "x");
    expectLength(out, m, "out");
    if (m == 0) return info.Env().Undefined();
    for (size_t i = 0; i < r; i++) {
      // Every element read, first and last of each axis, lies inside the input.
      AA_REQUIRE(step[i] >= 1 && begin[i] >= 0 && begin[i] + (size[i] - 1) * step[i] < shape[i],
                 "the slice begin " + show(begin) + ", size " + show(size) + ", step " + show(step) +
                     " reaches outside the shape " + show(shape));
    }
    std::vector<int64_t> xs = stridesOf(shape), inStride(shape.size());
    int64_t base = 0;
    for (size_t i = 0; i < shape.size(); i++) {
      base += begin[i] * xs[i];
      inStride[i] = xs[i] * step[i];
    }
    stridedGather(x.p, out.p, size, inStride, base);
    return info.Env().Undefined();
  });
}

// tile(x, out, shape, reps)
Napi::Value Tile(const Napi::CallbackInfo& info) {
  return guarded(info, "tile", [&]() -> Napi::Value {
    const F32 xa = f32(info[0], "x"), outa = f32(info[1], "out");
    std::vector<int64_t> shape = ints(info[2], "shape"), reps = ints(info[3], "reps");
    const int r = static_cast<int>(shape.size());
    AA_REQUIRE(reps.size() == shape.size(), "reps must have one entry per dimension (" + std::to_string(r) + "), got " + show(reps));
    std::vector<int64_t> outShape(r);
    for (int i = 0; i < r; i++) {
      AA_REQUIRE(reps[i] >= 0, "reps must be >= 0, got " + show(reps));
      outShape[i] = shape[i] * reps[i];  // both below 2^31
    }
    expectLength(xa, count(shape, "shape"), "x");
    const int64_t m = count(outShape, "the output shape");
    expectLength(outa, m, "out");
    if (m == 0) return info.Env().Undefined();
    const float* x = xa.p;
    float* out = outa.p;
    if (r == 0) {
      out[0] = x[0];
      return info.Env().Undefined();
    }
    std::vector<int64_t> xs = stridesOf(shape);
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
    const F32 xa = f32(info[0], "x"), outa = f32(info[1], "out");
    std::vector<int64_t> shape = ints(info[2], "shape"), before = ints(info[3], "before"), after = ints(info[4], "after");
    const int64_t mode = i64(info[5], "mode");
    const float value = fl(info[6], "value");
    const int r = static_cast<int>(shape.size());
    AA_REQUIRE(r >= 1, "pad needs a tensor of rank >= 1");
    AA_REQUIRE(before.size() == shape.size() && after.size() == shape.size(),
               "before and after must have one entry per dimension (" + std::to_string(r) + ")");
    AA_REQUIRE(mode >= 0 && mode <= 2, "mode must be 0 (constant), 1 (reflect) or 2 (symmetric), got " + std::to_string(mode));
    const int64_t n = count(shape, "shape");
    std::vector<int64_t> outShape(r);
    for (int i = 0; i < r; i++) {
      // Mirrored padding reads inside the input: at most size - 1 (reflect) or size (symmetric) per side.
      const int64_t limit = mode == 0 ? INT32_MAX : (mode == 1 ? shape[i] - 1 : shape[i]);
      AA_REQUIRE(before[i] >= 0 && after[i] >= 0 && before[i] <= limit && after[i] <= limit,
                 "paddings before " + show(before) + " / after " + show(after) + " are not allowed for shape " + show(shape) +
                     " in mode " + std::to_string(mode));
      outShape[i] = shape[i] + before[i] + after[i];
    }
    expectLength(xa, n, "x");
    expectLength(outa, count(outShape, "the output shape"), "out");
    const float* x = xa.p;
    float* out = outa.p;
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
    const int64_t b = before[r - 1], nLast = shape[r - 1];
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
        if (nLast > 0) std::memcpy(o + b, s, sizeof(float) * nLast);
        for (int64_t j = b + nLast; j < inner; j++) o[j] = value;
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
    AA_REQUIRE(info[0].IsArray(), "inputs must be an array of Float32Array");
    Napi::Array list = info[0].As<Napi::Array>();
    const F32 outa = f32(info[1], "out");
    const int64_t outer = i64(info[2], "outer");
    std::vector<int64_t> inner = ints(info[3], "inners");
    AA_REQUIRE(outer >= 0, "outer must be >= 0, got " + std::to_string(outer));
    AA_REQUIRE(inner.size() == list.Length(), "inners must have one entry per input (" + std::to_string(list.Length()) + ")");
    std::vector<const float*> src(list.Length());
    int64_t width = 0;
    for (uint32_t i = 0; i < list.Length(); i++) {
      const F32 in = f32(list.Get(i), "every input");
      AA_REQUIRE(inner[i] >= 0, "inners must be >= 0, got " + show(inner));
      expectLength(in, mulChecked(outer, inner[i], "an input's size"), "an input");
      src[i] = in.p;
      width += inner[i];
    }
    expectLength(outa, mulChecked(outer, width, "the output size"), "out");
    float* out = outa.p;
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
