{
  "variables": {
    "lz4_lib%": "<!(node native-config.cjs lz4)",
    "lz4_static%": "<!(node native-config.cjs static)",
    "libdeflate%": "<!(node native-config.cjs libdeflate)",
    "isal%": "<!(node native-config.cjs isal)"
  },
  "targets": [
    {
      "target_name": "zswap_lz4",
      "sources": ["lz4_addon.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O3", "-std=c11", "-fvisibility=hidden"],
      "libraries": ["<(lz4_lib)", "-Wl,--exclude-libs,ALL"],
      "conditions": [
        ["lz4_static==1", { "defines": ["ZSWAP_LZ4_STATIC"] }],
        ["libdeflate==1", { "defines": ["ZSWAP_LZ4_LIBDEFLATE"], "libraries": ["-l:libdeflate.a"] }],
        ["isal==1", { "defines": ["ZSWAP_LZ4_ISAL"], "libraries": ["-ldl"] }]
      ]
    }
  ]
}
