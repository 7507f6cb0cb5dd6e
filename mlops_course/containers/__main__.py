"""``python -m mlops_course.containers``: the smoke test of a built image (CI)."""

from mlops_course.containers.engine import cli

raise SystemExit(cli())
