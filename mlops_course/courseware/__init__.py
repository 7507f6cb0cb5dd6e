"""The notebook harness: exercise generation, execution with papermill, nbval inputs, reports.

Maintainer tooling, used by ``make exercises`` / ``make check`` and by the tests; the
notebooks themselves never import it.
"""
