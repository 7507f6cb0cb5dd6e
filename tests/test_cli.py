"""The `mlops-course` command dispatches to one function per subcommand."""

from __future__ import annotations

import importlib
import re

import pytest

from mlops_course import cli


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in cli.COMMANDS)


def test_an_unknown_command_exits_2_with_the_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["trian"]) == 2
    assert "commande inconnue 'trian'" in capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_every_command_points_to_an_existing_function(name: str) -> None:
    module_name, _, function_name = cli.COMMANDS[name][0].partition(":")
    assert callable(getattr(importlib.import_module(module_name), function_name))


#: English words argparse or a careless help text would show a learner.
ENGLISH = re.compile(
    r"usage:|error:|\b(show this help|default|the following|required|positional|optional "
    r"arguments|unrecognized|invalid|expected|choose from|folder|only|write|train)\b"
)


def _english_in(text: str) -> list[str]:
    """English words of ``text`` outside option names (``--configure-only`` is a name)."""
    return [m.group(0) for m in ENGLISH.finditer(re.sub(r"--?[\w-]+", "", text))]


def _help_of(name: str, capsys: pytest.CaptureFixture[str]) -> str:
    module_name, _, function_name = cli.COMMANDS[name][0].partition(":")
    function = getattr(importlib.import_module(module_name), function_name)
    with pytest.raises(SystemExit) as exit_info:
        function(["--help"])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(set(cli.COMMANDS) - {"container"}))
def test_every_command_helps_in_french(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    text = _help_of(name, capsys)
    assert text.startswith(f"usage : mlops-course {name} [-h]"), text
    assert "options :" in text and re.search(r"-h, --help +afficher cette aide", text)
    assert not _english_in(text), text


def test_the_command_list_is_french(capsys: pytest.CaptureFixture[str]) -> None:
    cli.main([])
    text = capsys.readouterr().out
    assert text.startswith("usage : mlops-course COMMANDE")
    assert not _english_in(text), text


@pytest.mark.parametrize(
    ("argv", "french"),
    [
        (["--bogus"], "erreur : argument inconnu : --bogus"),
        (["--port", "abc"], "erreur : --port attend un nombre entier, pas 'abc'"),
        (["--port"], "erreur : --port attend une valeur"),
        (["--backend", "tf"], "erreur : --backend : 'tf' n'est pas permis (choix : "),
    ],
)
def test_argument_errors_are_french_and_exit_2(
    argv: list[str], french: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from mlops_course.api import server

    with pytest.raises(SystemExit) as exit_info:
        server.cli(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage : mlops-course serve [-h]")
    assert f"mlops-course serve : {french}" in err
    assert not _english_in(err), err


def test_a_missing_positional_and_other_errors_are_french() -> None:
    assert cli.french_error("the following arguments are required: RENDUS") == (
        "argument obligatoire manquant : RENDUS"
    )
    assert cli.french_error("argument --limit: invalid float value: 'x'") == (
        "--limit attend un nombre, pas 'x'"
    )
    assert cli.french_error("argument --notebooks: expected at least one argument") == (
        "--notebooks attend au moins une valeur"
    )
    assert cli.french_error("déjà en français") == "déjà en français"


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
