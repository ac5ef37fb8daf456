"""What mmlitmus's Python tools share: where the programs they run are
(paths) and, for the Python tests, their TAP lines (tap).

A tool puts the directory that holds this package first on sys.path:
tools/ in the source tree, share/mmlitmus/ where meson installs it."""
