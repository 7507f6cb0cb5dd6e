"""``python -m mlops_course.containers``: the smoke test of a built image (CI).

Taught in notebook 05_docker (the CI job that builds and smoke-tests the image).
"""

from mlops_course.containers.engine import cli

raise SystemExit(cli())
