// 2-D convolutions (plain and depthwise) on oneDNN: forward (+bias, +activation), backward data and
// backward weights. Activations stay channels-last (NHWC) as tfjs stores them, so the big tensors are
// never reordered; only the small weights move between tfjs's HWIO layout and the blocked layout the
// chosen oneDNN kernel wants. Primitives are created once per shape and cached.
// The fused activation is applied after the primitive with tfjs-backend-cpu's formulas
// (applyActivation), not as a oneDNN post-op: oneDNN's jit relu / clip post-ops turn NaN into 0,
// which would hide a diverged model where the cpu kernel propagates NaN.
#include <dnnl.hpp>

#include <map>
#include <memory>
#include <mutex>

#include "common.h"

namespace aa {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

dnnl::engine& cpuEngine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

dnnl::stream& cpuStream() {
  static dnnl::stream s(cpuEngine());
  return s;
}

namespace {

enum Kind { kForward = 0, kBackwardData = 1, kBackwardWeights = 2 };

struct Geometry {
  int64_t N, IH, IW, IC, OH, OW, OC, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR, G;
  explicit Geometry(const std::vector<int64_t>& p)
      : N(p[0]), IH(p[1]), IW(p[2]), IC(p[3]), OH(p[4]), OW(p[5]), OC(p[6]), KH(p[7]), KW(p[8]), SH(p[9]),
        SW(p[10]), DH(p[11]), DW(p[12]), PT(p[13]), PL(p[14]), PB(p[15]), PR(p[16]), G(p[17]) {}

  memory::desc src() const { return memory::desc({N, IC, IH, IW}, dt::f32, tag::nhwc); }
  memory::desc dst() const { return memory::desc({N, OC, OH, OW}, dt::f32, tag::nhwc); }
  memory::dims weightDims() const {
    if (G == 1) return {OC, IC, KH, KW};
    return {G, OC / G, IC / G, KH, KW};
  }
  memory::desc weightsAny() const { return memory::desc(weightDims(), dt::f32, tag::any); }
  // tfjs filters are [KH, KW, IC, OC] (plain) or [KH, KW, C, M] (depthwise, OC = C * M).
  memory::desc userWeights() const {
    if (G == 1) return memory::desc(weightDims(), dt::f32, memory::dims{1, OC, KW * IC * OC, IC * OC});
    const int64_t M = OC / G;
    return memory::desc(weightDims(), dt::f32, memory::dims{M, 1, M, KW * IC * M, IC * M});
  }
  memory::dims strides() const { return {SH, SW}; }
  memory::dims dilates() const { return {DH - 1, DW - 1}; }  // oneDNN counts dilation from 0
  memory::dims padL() const { return {PT, PL}; }
  memory::dims padR() const { return {PB, PR}; }

  memory::desc bias() const { return memory::desc({OC}, dt::f32, tag::x); }

  dnnl::convolution_forward::primitive_desc forwardHint(bool hasBias = false) const {
    dnnl::convolution_forward::desc d =
        hasBias ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, src(),
                                                  weightsAny(), bias(), dst(), strides(), dilates(), padL(), padR())
                : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, src(),
                                                  weightsAny(), dst(), strides(), dilates(), padL(), padR());
    return dnnl::convolution_forward::primitive_desc(d, cpuEngine());
  }
};

// The geometry must describe a convolution tfjs can produce: positive sizes, a plain (G = 1) or
// depthwise (G = IC) grouping, and an output size that the padding, strides and dilations give.
void checkGeometry(const Geometry& g) {
  const std::vector<int64_t> positive = {g.N, g.IH, g.IW, g.IC, g.OH, g.OW, g.OC, g.KH, g.KW, g.SH, g.SW, g.DH, g.DW, g.G};
  for (int64_t v : positive) AA_REQUIRE(v >= 1, "sizes, strides, dilations and groups must be >= 1, got " + show(positive));
  AA_REQUIRE(g.PT >= 0 && g.PL >= 0 && g.PB >= 0 && g.PR >= 0, "padding must be >= 0");
  AA_REQUIRE(g.G == 1 || g.G == g.IC, "groups must be 1 or the input channels (depthwise), got " + std::to_string(g.G));
  AA_REQUIRE(g.OC % g.G == 0, "the output channels must be a multiple of the groups");
  const int64_t spanH = (g.KH - 1) * g.DH + 1, spanW = (g.KW - 1) * g.DW + 1;
  const int64_t h = g.IH + g.PT + g.PB - spanH, w = g.IW + g.PL + g.PR - spanW;
  AA_REQUIRE(h >= 0 && w >= 0 && h / g.SH + 1 == g.OH && w / g.SW + 1 == g.OW,
             "the output size does not follow from the input size, filter, strides, dilations and padding");
}

struct ConvEntry {
  dnnl::primitive prim;
  memory::desc src, dst, bias, user;
  memory::desc weights;  // the layout the primitive wants (weights or diff_weights)
  bool reorder = false;
  dnnl::reorder reorderPrim;
  memory weightsMem;  // oneDNN-owned buffer in the primitive's layout
  std::string impl;
};

std::map<std::vector<int64_t>, std::unique_ptr<ConvEntry>> cache;
// One addon instance serves every worker thread of the process: the cache, the cached weight
// buffers and the primitives' scratchpads must not be used concurrently.
std::mutex cacheMutex;
constexpr size_t kCacheMax = 512;

std::unique_ptr<ConvEntry> build(int kind, const Geometry& g, bool hasBias) {
  auto e = std::make_unique<ConvEntry>();
  auto& eng = cpuEngine();
  e->src = g.src();
  e->dst = g.dst();
  e->user = g.userWeights();
  e->bias = g.bias();
  if (kind == kForward) {
    dnnl::convolution_forward::desc d =
        hasBias ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                                  e->src, g.weightsAny(), e->bias, e->dst, g.strides(), g.dilates(),
                                                  g.padL(), g.padR())
                : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                                  e->src, g.weightsAny(), e->dst, g.strides(), g.dilates(), g.padL(),
                                                  g.padR());
    dnnl::convolution_forward::primitive_desc pd(d, eng);
    e->weights = pd.weights_desc();
    e->impl = pd.impl_info_str();
    e->prim = dnnl::convolution_forward(pd);
    if (e->weights != e->user) {
      e->reorder = true;
      e->weightsMem = memory(e->weights, eng);
      e->reorderPrim = dnnl::reorder(dnnl::reorder::primitive_desc(eng, e->user, eng, e->weights));
    }
  } else if (kind == kBackwardData) {
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, e->src, g.weightsAny(), e->dst,
                                            g.strides(), g.dilates(), g.padL(), g.padR());
    dnnl::convolution_backward_data::primitive_desc pd(d, eng, g.forwardHint());
    e->weights = pd.weights_desc();
    e->impl = pd.impl_info_str();
    e->prim = dnnl::convolution_backward_data(pd);
    if (e->weights != e->user) {
      e->reorder = true;
      e->weightsMem = memory(e->weights, eng);
      e->reorderPrim = dnnl::reorder(dnnl::reorder::primitive_desc(eng, e->user, eng, e->weights));
    }
  } else {
    // With a bias, the bias gradient (the sum of dy over N, H, W) comes out of the same pass over dy.
    dnnl::convolution_backward_weights::desc d =
        hasBias ? dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, e->src, g.weightsAny(), e->bias,
                                                           e->dst, g.strides(), g.dilates(), g.padL(), g.padR())
                : dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, e->src, g.weightsAny(), e->dst,
                                                           g.strides(), g.dilates(), g.padL(), g.padR());
    dnnl::convolution_backward_weights::primitive_desc pd(d, eng, g.forwardHint(hasBias));
    e->weights = pd.diff_weights_desc();
    e->impl = pd.impl_info_str();
    e->prim = dnnl::convolution_backward_weights(pd);
    if (e->weights != e->user) {
      e->reorder = true;
      e->weightsMem = memory(e->weights, eng);
      e->reorderPrim = dnnl::reorder(dnnl::reorder::primitive_desc(eng, e->weights, eng, e->user));
    }
  }
  return e;
}

ConvEntry& entryFor(int kind, const std::vector<int64_t>& p, bool hasBias) {
  std::vector<int64_t> key(p);
  key.push_back(kind);
  key.push_back(hasBias);
  auto it = cache.find(key);
  if (it != cache.end()) return *it->second;
  if (cache.size() >= kCacheMax) cache.clear();  // shapes changed wholesale; rebuild lazily
  auto built = build(kind, Geometry(p), hasBias);  // may throw: then the cache is left unchanged
  auto& slot = cache[key];
  slot = std::move(built);
  return *slot;
}

// conv2d(kind, in0, in1, bias | null, out, params: Int32Array(18), activation, alpha) -> implementation name
//   kind 0 forward:          in0 = x [N,IH,IW,IC], in1 = filter, bias [OC] | null, out = y [N,OH,OW,OC]
//   kind 1 backward data:    in0 = dy, in1 = filter, out = dx
//   kind 2 backward weights: in0 = x, in1 = dy, out = dfilter; bias, when given, receives the bias
//                            gradient [OC] (dy summed over N, H, W)
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  return guarded(info, "conv2d", [&]() -> Napi::Value {
    const int64_t kind = i64(info[0], "kind");
    const F32 a0 = f32(info[1], "in0"), a1 = f32(info[2], "in1"), ab = f32OrNull(info[3], "bias"), ao = f32(info[4], "out");
    std::vector<int64_t> p = ints(info[5], "params");
    const int64_t act = i64(info[6], "activation");
    const float alpha = fl(info[7], "alpha");
    AA_REQUIRE(kind >= kForward && kind <= kBackwardWeights, "kind must be 0, 1 or 2, got " + std::to_string(kind));
    AA_REQUIRE(act >= kLinear && act <= kLeakyRelu, "unknown activation " + std::to_string(act));
    AA_REQUIRE(p.size() == 18, "expected 18 geometry parameters, got " + std::to_string(p.size()));
    const Geometry g(p);
    checkGeometry(g);
    const int64_t nX = count({g.N, g.IH, g.IW, g.IC}, "the input"), nY = count({g.N, g.OH, g.OW, g.OC}, "the output");
    const int64_t nW = count({g.KH, g.KW, g.IC / g.G, g.OC}, "the filter");
    if (kind == kForward) {
      expectLength(a0, nX, "x");
      expectLength(a1, nW, "filter");
      expectLength(ao, nY, "out");
      if (ab.p != nullptr) expectLength(ab, g.OC, "bias");
    } else {
      AA_REQUIRE(act == kLinear, "a backprop takes no activation");
      AA_REQUIRE(kind == kBackwardWeights || ab.p == nullptr, "the input backprop takes no bias");
      expectLength(a0, kind == kBackwardData ? nY : nX, kind == kBackwardData ? "dy" : "x");
      expectLength(a1, kind == kBackwardData ? nW : nY, kind == kBackwardData ? "filter" : "dy");
      expectLength(ao, kind == kBackwardData ? nX : nW, "out");
      if (ab.p != nullptr) expectLength(ab, g.OC, "the bias gradient");
    }
    float* in0 = a0.p;
    float* in1 = a1.p;
    float* bias = ab.p;
    float* out = ao.p;
    std::lock_guard<std::mutex> lock(cacheMutex);
    ConvEntry& e = entryFor(kind, p, bias != nullptr);
    auto& eng = cpuEngine();
    auto& s = cpuStream();
    if (kind == kForward) {
      memory src(e.src, eng, in0), dst(e.dst, eng, out), user(e.user, eng, in1);
      memory w = user;
      if (e.reorder) {
        e.reorderPrim.execute(s, user, e.weightsMem);
        w = e.weightsMem;
      }
      std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, dst}};
      if (bias) args.insert({DNNL_ARG_BIAS, memory(e.bias, eng, bias)});
      e.prim.execute(s, args);
    } else if (kind == kBackwardData) {
      memory ddst(e.dst, eng, in0), dsrc(e.src, eng, out), user(e.user, eng, in1);
      memory w = user;
      if (e.reorder) {
        e.reorderPrim.execute(s, user, e.weightsMem);
        w = e.weightsMem;
      }
      e.prim.execute(s, {{DNNL_ARG_DIFF_DST, ddst}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_SRC, dsrc}});
    } else {
      memory src(e.src, eng, in0), ddst(e.dst, eng, in1), user(e.user, eng, out);
      memory dw = e.reorder ? e.weightsMem : user;
      std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, ddst}, {DNNL_ARG_DIFF_WEIGHTS, dw}};
      if (bias) args.insert({DNNL_ARG_DIFF_BIAS, memory(e.bias, eng, bias)});
      e.prim.execute(s, args);
      if (e.reorder) e.reorderPrim.execute(s, e.weightsMem, user);
    }
    s.wait();
    if (kind == kForward && act != kLinear) applyActivation(out, p[0] * p[4] * p[5] * p[6], act, alpha);
    return Napi::String::New(info.Env(), e.impl);
  });
}

Napi::Value ClearCache(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> lock(cacheMutex);
  size_t n = cache.size();
  cache.clear();
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

}  // namespace

void registerConv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2d", Napi::Function::New(env, Conv2d));
  exports.Set("clearConvCache", Napi::Function::New(env, ClearCache));
}

}  // namespace aa
