"""The `mlops-course` command dispatches to one function per subcommand."""

from __future__ import annotations

import importlib

import pytest

from mlops_course import cli


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in cli.COMMANDS)


def test_an_unknown_command_exits_2_with_the_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["trian"]) == 2
    assert "unknown command 'trian'" in capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_every_command_points_to_an_existing_function(name: str) -> None:
    module_name, _, function_name = cli.COMMANDS[name][0].partition(":")
    assert callable(getattr(importlib.import_module(module_name), function_name))


def test_workspace_copies_new_exercises_and_never_overwrites_learner_work(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from mlops_course.courseware import commands

    target = tmp_path / "travail"
    assert cli.main(["workspace", "--dir", str(target)]) == 0
    copies = sorted(target.glob("*.ipynb"))
    assert copies, "no exercise was copied"
    assert "Votre copie" in copies[0].read_text(encoding="utf-8")
    copies[0].write_text("learner work")
    assert cli.main(["workspace", "--dir", str(target)]) == 0
    assert copies[0].read_text() == "learner work"
    assert "already there (kept)" in capsys.readouterr().out
    assert commands.WORKSPACE == "mon-travail"
