"""What mmlitmus's Python tools share: where the programs they run are
(paths); the pieces of tools/kernels: its errors (failure), Debian's
kernels (debian), the guest under qemu (guest), the corpus (corpus) and
the survey (survey) across kernels; and, for the Python tests, their TAP
lines (tap).

A tool puts the directory that holds this package first on sys.path:
tools/ in the source tree, share/mmlitmus/ where meson installs it."""
