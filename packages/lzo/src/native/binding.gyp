{
  "variables": {
    "lzo_lib%": "<!(node native-config.cjs lzo)",
    "lzo_static%": "<!(node native-config.cjs static)",
    "libdeflate%": "<!(node native-config.cjs libdeflate)",
    "isal%": "<!(node native-config.cjs isal)"
  },
  "targets": [
    {
      "target_name": "zswap_lzo",
      "sources": ["lzo_addon.c", "lzo_rle.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O3", "-std=c11", "-fvisibility=hidden"],
      "libraries": ["<(lzo_lib)", "-Wl,--exclude-libs,ALL"],
      "conditions": [
        ["lzo_static==1", { "defines": ["ZSWAP_LZO_STATIC"] }],
        ["libdeflate==1", { "defines": ["ZSWAP_LZO_LIBDEFLATE"], "libraries": ["-l:libdeflate.a"] }],
        ["isal==1", { "defines": ["ZSWAP_LZO_ISAL"], "libraries": ["-ldl"] }]
      ]
    }
  ]
}
