"""Checks of notebook 06_ci_cd: running the learner's tests as pytest would (``test_*``
methods, fixtures by name), and telling a failed assert from a crash or an empty stub.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any


def _is_stub(function: Callable[..., Any]) -> bool:
    """True for a function whose body does nothing but return None (the ``...`` stub)."""
    import dis

    code = getattr(function, "__code__", None)
    if code is None:
        return False
    for instruction in dis.get_instructions(code):
        if instruction.opname in {"RESUME", "NOP", "CACHE"}:
            continue
        if instruction.opname not in {"LOAD_CONST", "RETURN_VALUE", "RETURN_CONST"}:
            return False
        if instruction.opname != "RETURN_VALUE" and instruction.argval is not None:
            return False
    return True


def _outcome(test: Callable[..., Any], arguments: dict[str, Any]) -> str | None:
    """Run one learner test: None if it passed, "AssertionError" if an assert (or
    ``pytest.raises``) failed, else the exception it raised."""
    import pytest

    try:
        with warnings.catch_warnings():
            # A learner may pass a bare array: scikit-learn then warns that it has no
            # feature names. That is not what the test is about.
            warnings.filterwarnings("ignore", message="X does not have valid feature names")
            test(**arguments)
    except (AssertionError, pytest.fail.Exception):
        return "AssertionError"
    except Exception as error:
        return f"{type(error).__name__}: {error}".splitlines()[0]
    return None


def _test_methods(tests: type) -> dict[str, Callable[..., Any]]:
    """The ``test_*`` methods pytest would collect, inherited ones included, in order."""
    found: dict[str, Callable[..., Any]] = {}
    for cls in reversed(tests.__mro__[:-1]):
        found.update(
            (name, method)
            for name, method in vars(cls).items()
            if name.startswith("test_") and callable(method)
        )
    return found


def _parameters(method: Callable[..., Any]) -> list[str]:
    import inspect

    return [p for p in inspect.signature(method).parameters if p != "self"]
