{
  # Portable by default: oneDNN picks its instruction set at run time, and the package's own loops are
  # built twice on x86-64, for the baseline (onednn.node) and for AVX2 + FMA (onednn_avx2.node, which
  # src/native.ts loads only on a CPU that has both). AA_ONEDNN_NATIVE_ARCH=1 builds one addon with
  # -march=native instead, for the building machine only.
  "variables": {
    "native_arch": "<!(node -p \"process.env.AA_ONEDNN_NATIVE_ARCH === '1' ? 1 : 0\")"
  },
  "target_defaults": {
    "sources": [
      "native/addon.cc",
      "native/conv.cc",
      "native/matmul.cc",
      "native/pool.cc",
      "native/elementwise.cc",
      "native/reduce.cc",
      "native/layout.cc",
      "native/norm.cc",
      "native/memory.cc"
    ],
    "include_dirs": [
      "<!(node -p \"require('node-addon-api').include_dir\")",
      "<!@(node -p \"process.env.DNNL_INCLUDE_DIR || ''\")"
    ],
    "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
    "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-fopenmp"],
    "ldflags": [
      "<!@(node -p \"process.env.DNNL_LIBRARY_DIR ? '-L' + process.env.DNNL_LIBRARY_DIR + ' -Wl,-rpath,' + process.env.DNNL_LIBRARY_DIR : ''\")"
    ],
    "libraries": ["-ldnnl", "-fopenmp"]
  },
  "targets": [
    {
      "target_name": "onednn",
      "conditions": [
        ["native_arch==1", { "cflags_cc": ["-march=native"] }, { "cflags_cc": ["-mtune=generic"] }]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64' and native_arch==0", {
      "targets": [
        {
          "target_name": "onednn_avx2",
          "cflags_cc": ["-mavx2", "-mfma", "-mtune=generic"]
        }
      ]
    }]
  ]
}
