{
  "variables": {
    "lzo_lib%": "<!(node scripts/native-config.cjs lzo)",
    "lzo_static%": "<!(node scripts/native-config.cjs static)",
    "isal%": "<!(node scripts/native-config.cjs isal)"
  },
  "targets": [
    {
      "target_name": "zswap_lzo",
      "sources": ["src/native/lzo_addon.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O3", "-std=c11", "-fvisibility=hidden"],
      "libraries": ["<(lzo_lib)", "-Wl,--exclude-libs,ALL"],
      "conditions": [
        ["lzo_static==1", { "defines": ["ZSWAP_LZO_STATIC"] }],
        ["isal==1", { "defines": ["ZSWAP_LZO_ISAL"], "libraries": ["-lisal"] }]
      ]
    }
  ]
}
