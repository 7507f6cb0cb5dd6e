"""Self-checks for the exercise notebooks: one module per chapter.

A check is a plain function that takes what the learner wrote (a value or a function)
and either prints a ✅ line or raises a :class:`Feedback`:

- :class:`NotDoneError` ("⏳ pas encore fait") when the stub is untouched: the exercise
  cell still holds ``...`` (the generator's placeholder) or returns ``None``;
- :class:`WrongAnswerError` ("❌" and a French hint) when the answer is wrong.

Both are ``AssertionError`` subclasses, so a notebook runner (papermill, nbclient) sees
the cell fail and "Run All" stops there. In Jupyter (JupyterLab, VS Code) they show as
their French message only, without a traceback or the check's source: IPython renders an
exception that has ``_render_traceback_`` with the lines that method returns.

Exercise stubs are generated from the solutions (``mlops_course.courseware.exercises``),
so the placeholder is always ``...``: a check that meets it says "pas encore fait".
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any

#: Characters per line of a check's message in a notebook (wrapped between words).
WIDTH = 90


class Feedback(AssertionError):
    """A check's verdict for the learner: shown in a notebook as its message alone."""

    def _render_traceback_(self) -> list[str]:
        """Lines IPython shows instead of a traceback (the French message, nothing else).

        Long lines are wrapped between words (JupyterLab would break them anywhere).
        """
        lines = []
        for line in str(self).splitlines():
            indent = line[: len(line) - len(line.lstrip())]
            lines += textwrap.wrap(
                line, WIDTH, subsequent_indent=indent + "  ", break_on_hyphens=False
            ) or [""]
        return lines or [type(self).__name__]


class NotDoneError(Feedback):
    """The exercise still holds its placeholder: it has not been attempted yet."""


class WrongAnswerError(Feedback):
    """The learner's answer is wrong; the message says what to fix (never the answer)."""


def is_placeholder(value: Any) -> bool:
    """Return True for the values an untouched stub produces (``...`` or ``None``)."""
    return value is Ellipsis or value is None


def require(value: Any, what: str) -> Any:
    """Return ``value``, or raise :class:`NotDoneError` if it is still a placeholder."""
    if is_placeholder(value):
        raise NotDoneError(
            f"⏳ {what} : pas encore fait — remplacez les `...` par votre code, puis relancez."
        )
    return value


def call(function: Callable[..., Any], *args: Any, what: str, **kwargs: Any) -> Any:
    """Call the learner's ``function`` and return its result, placeholder-checked.

    A stub whose body is ``...`` returns ``None``: that reads as "pas encore fait".
    An exception raised by the learner's code is turned into a hint that names it.
    """
    require(function, what)
    if not callable(function):
        raise WrongAnswerError(
            f"❌ {what} : on attend une fonction, reçu {type(function).__name__}."
        )
    try:
        result = function(*args, **kwargs)
    except Feedback:
        raise
    except Exception as error:  # the learner's code failed: say so, in French
        raise WrongAnswerError(
            f"❌ {what} : votre fonction a levé {type(error).__name__}: {error}"
        ) from error
    return require(result, what)


def fail(hint: str) -> WrongAnswerError:
    """Return the error a wrong answer raises (``raise fail("...")``), with its ❌ mark."""
    return WrongAnswerError(f"❌ {hint}")


def expect(condition: bool, hint: str) -> None:
    """Raise a :class:`WrongAnswerError` carrying the French ``hint`` unless ``condition``."""
    if not condition:
        raise fail(hint)


def success(message: str) -> None:
    """Print the ✅ line a passing check shows."""
    print(f"✅ {message}")
