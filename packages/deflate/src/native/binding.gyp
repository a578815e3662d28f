{
  "variables": {
    "libdeflate_lib%": "<!(node native-config.cjs libdeflate)",
    "libdeflate_static%": "<!(node native-config.cjs static)"
  },
  "targets": [
    {
      "target_name": "zswap_libdeflate",
      "sources": ["libdeflate_addon.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O3", "-std=c11", "-fvisibility=hidden"],
      "libraries": ["<(libdeflate_lib)", "-Wl,--exclude-libs,ALL"],
      "conditions": [["libdeflate_static==1", { "defines": ["ZSWAP_LIBDEFLATE_STATIC"] }]]
    }
  ]
}
