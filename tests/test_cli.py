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
    assert f"{len(copies)} nouveaux exercices copiés" in capsys.readouterr().out
    assert "Votre copie" in copies[0].read_text(encoding="utf-8")
    copies[0].write_text("learner work")
    assert cli.main(["workspace", "--dir", str(target)]) == 0
    assert copies[0].read_text() == "learner work"
    out = capsys.readouterr().out
    assert f"aucun nouvel exercice, {len(copies)} déjà présents (votre travail est conservé)" in out
    assert commands.WORKSPACE == "mon-travail"


@pytest.mark.parametrize(
    ("copied", "kept", "line"),
    [
        (8, 0, "mon-travail/ : 8 nouveaux exercices copiés"),
        (1, 1, "mon-travail/ : 1 nouvel exercice copié, 1 déjà présent (votre travail est "),
        (0, 3, "mon-travail/ : aucun nouvel exercice, 3 déjà présents (votre travail est "),
    ],
)
def test_workspace_speaks_french_with_the_right_plurals(copied: int, kept: int, line: str) -> None:
    from mlops_course.courseware import commands

    assert commands.workspace_summary("mon-travail", copied, kept).startswith(line)
