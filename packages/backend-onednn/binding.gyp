{
  "targets": [
    {
      "target_name": "onednn",
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
      "cflags_cc": [
        "-std=c++17",
        "-O3",
        "-fexceptions",
        "-fopenmp",
        "<!(node -p \"process.env.AA_ONEDNN_NATIVE_ARCH === '1' ? '-march=native' : '-mtune=generic'\")"
      ],
      "ldflags": [
        "<!@(node -p \"process.env.DNNL_LIBRARY_DIR ? '-L' + process.env.DNNL_LIBRARY_DIR + ' -Wl,-rpath,' + process.env.DNNL_LIBRARY_DIR : ''\")"
      ],
      "libraries": [
        "-ldnnl",
        "-fopenmp"
      ]
    }
  ]
}
