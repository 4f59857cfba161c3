"""Mutation testing of the sans-IO cores against their own unit tests (``make mutate``).

Each mutant is the whole module's source with one change made by mutmut's operators (a number
plus one, ``<`` for ``<=``, an argument dropped, ...). A mutant runs as a source patch: a
forked worker that has imported only third-party code loads every project module afresh, the
mutated one from the patched source, and runs the module's own unit test files. Import-time
code (constants, defaults, decorators, class bodies) is therefore mutated and re-run like any
other code. Every mutant that survives is run once more in a fresh interpreter before it is
reported. Mutants reviewed as equivalent are listed in ``allowlist.json`` and left out of the
score.

Modules:
    config: which modules are mutated, and against which test files.
    mutants: the mutants of one module and the key that names each one.
    allowlist: the reviewed equivalent mutants.
    patch: the import hook that loads one module from patched source.
    runner: the forked workers and the fresh-interpreter re-check.
    __main__: the command line and the table.
"""
