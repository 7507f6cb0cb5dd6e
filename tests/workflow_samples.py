"""GitHub workflows as a learner of notebook 06_ci_cd writes them, shared by the tests of the
exercise (``test_checks_cicd.py``) and of the review behind it (``test_workflows.py``)."""

from __future__ import annotations

#: The smallest release workflow with nothing to fix: a version tag, the tests, then the
#: image built and pushed to ghcr.io with the built-in token.
RELEASE = """\
on:
  push:
    tags: ["v*"]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-24.04
    timeout-minutes: 30
    steps:
      - uses: actions/checkout@v6
      - uses: actions/setup-python@v6
        with:
          python-version: "3.11"
      - uses: astral-sh/setup-uv@v7
      - run: make check
  publish:
    needs: test
    runs-on: ubuntu-24.04
    timeout-minutes: 20
    permissions:
      contents: read
      packages: write
    steps:
      - uses: actions/checkout@v6
      - uses: actions/setup-python@v6
        with:
          python-version: "3.11"
      - uses: astral-sh/setup-uv@v7
      - run: make model
      - uses: docker/login-action@v4
        with:
          registry: ghcr.io
          username: ${{ github.actor }}
          password: ${{ secrets.GITHUB_TOKEN }}
      - uses: docker/build-push-action@v7
        with:
          context: .
          file: docker/Dockerfile
          push: true
          tags: ghcr.io/${{ github.repository }}:${{ github.ref_name }}
"""
#: Steps of :data:`RELEASE`, as lines to take out of a job.
CHECKOUT = "      - uses: actions/checkout@v6\n"
LOGIN = (
    "      - uses: docker/login-action@v4\n        with:\n          registry: ghcr.io\n"
    "          username: ${{ github.actor }}\n"
    "          password: ${{ secrets.GITHUB_TOKEN }}\n"
)


def without(text: str, *lines: str) -> str:
    """``text`` without each of ``lines`` (each must be there)."""
    for line in lines:
        assert line in text, line
        text = text.replace(line, "")
    return text


def publish_without(line: str) -> str:
    """:data:`RELEASE` with ``line`` removed from the publish job only."""
    head, tail = RELEASE.split("  publish:\n")
    assert line in tail, line
    return head + "  publish:\n" + tail.replace(line, "", 1)
