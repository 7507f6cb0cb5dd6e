"""Self-checks for the exercise notebooks: one module per chapter.

A check is a plain function that takes what the learner wrote (a value or a function)
and either prints a ✅ line or raises:

- :class:`NotDoneError` (an ``AssertionError``) when the stub is untouched: the
  exercise cell still holds ``...`` (the generator's placeholder) or returns ``None``;
- ``AssertionError`` with a French hint when the answer is wrong.

Exercise stubs are generated from the solutions (``mlops_course.courseware.exercises``),
so the placeholder is always ``...``: a check that meets it says "pas encore fait".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class NotDoneError(AssertionError):
    """The exercise still holds its placeholder: it has not been attempted yet."""


def is_placeholder(value: Any) -> bool:
    """Return True for the values an untouched stub produces (``...`` or ``None``)."""
    return value is Ellipsis or value is None


def require(value: Any, what: str) -> Any:
    """Return ``value``, or raise :class:`NotDoneError` if it is still a placeholder."""
    if is_placeholder(value):
        raise NotDoneError(
            f"⏳ {what} : pas encore fait. Remplacez les `...` de la cellule de l'exercice "
            "par votre code, exécutez-la, puis relancez cette vérification."
        )
    return value


def call(function: Callable[..., Any], *args: Any, what: str, **kwargs: Any) -> Any:
    """Call the learner's ``function`` and return its result, placeholder-checked.

    A stub whose body is ``...`` returns ``None``: that reads as "pas encore fait".
    An exception raised by the learner's code is turned into a hint that names it.
    """
    require(function, what)
    if not callable(function):
        raise AssertionError(f"❌ {what} : on attend une fonction, reçu {type(function).__name__}.")
    try:
        result = function(*args, **kwargs)
    except NotDoneError:
        raise
    except Exception as error:  # the learner's code failed: say so, in French
        raise AssertionError(
            f"❌ {what} : votre fonction a levé {type(error).__name__}: {error}"
        ) from error
    return require(result, what)


def expect(condition: bool, hint: str) -> None:
    """Raise an ``AssertionError`` carrying the French ``hint`` unless ``condition`` holds."""
    if not condition:
        raise AssertionError(f"❌ {hint}")


def success(message: str) -> None:
    """Print the ✅ line a passing check shows."""
    print(f"✅ {message}")
