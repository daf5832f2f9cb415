{
  # For `npm install` against an installed libquell (`make install` puts
  # quell.h and libquell.so under PREFIX, /usr/local by default). The
  # repository's own build and tests use `make build/node/quell.node`.
  "targets": [
    {
      "target_name": "quell",
      "sources": ["src/quell_node.c"],
      "cflags_c": ["-std=c11", "-Wall", "-Wextra"],
      "include_dirs": ["<!@(pkg-config --cflags-only-I quell | sed s/-I//g)"],
      "libraries": ["<!@(pkg-config --libs quell)"],
      # Found at run time wherever PREFIX was, not only in ld.so's folders.
      "ldflags": ["-Wl,-rpath,<!(pkg-config --variable=libdir quell)"]
    }
  ]
}
