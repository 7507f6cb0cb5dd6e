"""Subcommands of ``mlops-course`` that maintain the notebooks."""

from __future__ import annotations

import sys
from pathlib import Path

from mlops_course.cli import ArgumentParser
from mlops_course.config import project_root
from mlops_course.courseware import exercises as ex
from mlops_course.courseware import nbval_inputs
from mlops_course.courseware import notebooks as nbio

#: Where ``make lab`` puts the learner's own copies of the exercises (ignored by git).
WORKSPACE = "mon-travail"


def exercises(argv: list[str]) -> int:
    """Regenerate ``exercises/`` from ``solutions/`` or, with ``--check``, compare them."""
    parser = ArgumentParser(prog="mlops-course exercises")
    parser.add_argument("--check", action="store_true", help="comparer seulement, sans rien écrire")
    args = parser.parse_args(argv)
    stale = ex.generate(check=args.check)
    root = project_root()
    if args.check:
        if stale:
            names = ", ".join(str(p.relative_to(root)) for p in stale)
            print(
                f"exercises/ is out of date with solutions/ ({names}).\n"
                "Run `make exercises` to regenerate it, then commit the result.",
                file=sys.stderr,
            )
            return 1
        print(f"exercises/ matches solutions/ ({len(nbio.discover('solutions'))} notebooks)")
        return 0
    for path in stale:
        print(f"wrote {path.relative_to(root)}" if path.exists() else f"removed {path}")
    print(f"exercises/ is up to date ({len(nbio.discover('solutions'))} notebooks)")
    return 0


def workspace(argv: list[str]) -> int:
    """Copy into ``mon-travail/`` each exercise notebook the learner does not have yet.

    Existing copies are never overwritten: they hold the learner's work.
    """
    parser = ArgumentParser(prog="mlops-course workspace")
    parser.add_argument(
        "--dir", default=WORKSPACE, help="dossier de vos copies (défaut : mon-travail)"
    )
    args = parser.parse_args(argv)
    target = project_root() / args.dir
    target.mkdir(exist_ok=True)
    copied = []
    for source in nbio.discover("exercises"):
        destination = target / source.name
        if not destination.exists():
            nbio.write(ex.learner_copy(nbio.read(source), source.name), destination)
            copied.append(destination.name)
    kept = len(nbio.discover("exercises")) - len(copied)
    print(workspace_summary(args.dir, len(copied), kept))
    return 0


def workspace_summary(folder: str, copied: int, kept: int) -> str:
    """Return the French line ``workspace`` prints (``mon-travail/ : 2 nouveaux ...``)."""
    new = (
        "aucun nouvel exercice"
        if copied == 0
        else f"{copied} nouvel exercice copié"
        if copied == 1
        else f"{copied} nouveaux exercices copiés"
    )
    same = (
        ""
        if kept == 0
        else ", 1 déjà présent (votre travail est conservé)"
        if kept == 1
        else f", {kept} déjà présents (votre travail est conservé)"
    )
    return f"{folder.rstrip('/')}/ : {new}{same}"


def format_notebooks(argv: list[str]) -> int:
    """Normalize the hand-written notebooks (no outputs, sequential ids, python3 kernel)."""
    parser = ArgumentParser(prog="mlops-course format-notebooks")
    parser.add_argument("--check", action="store_true", help="vérifier seulement, sans rien écrire")
    args = parser.parse_args(argv)
    root = project_root()
    dirty: list[Path] = []
    for path in nbio.all_notebooks(root):
        text = path.read_text(encoding="utf-8")
        wanted = nbio.dumps(nbio.normalized(nbio.read(path)))
        if text != wanted:
            dirty.append(path)
            if not args.check:
                path.write_text(wanted, encoding="utf-8")
    if args.check and dirty:
        names = ", ".join(str(p.relative_to(root)) for p in dirty)
        print(
            f"notebooks not in committed form (outputs, ids or kernelspec): {names}\n"
            "Run `make format` (and `make exercises` for exercises/).",
            file=sys.stderr,
        )
        return 1
    verb = "need formatting" if args.check else "reformatted"
    print(f"notebooks: {len(dirty)} {verb}")
    return 0


def nbval_prepare(argv: list[str]) -> int:
    """Write the nbval inputs under ``build/nbval``."""
    ArgumentParser(prog="mlops-course nbval-prepare").parse_args(argv)
    written = nbval_inputs.prepare()
    print(f"build/nbval: {len(written)} notebook(s) with checked outputs")
    return 0


def record_outputs(argv: list[str]) -> int:
    """Run notebooks in fast mode and store what their nbval-tagged cells print.

    For authors: the recorded text lands in ``metadata.expected_output`` of each cell
    tagged ``nbval-check-output``; review the diff before committing it.
    """
    from mlops_course.courseware import runner

    parser = ArgumentParser(prog="mlops-course record-outputs")
    parser.add_argument("notebooks", nargs="+", type=Path, help="notebooks à exécuter")
    args = parser.parse_args(argv)
    status = 0
    for path in args.notebooks:
        path = path.resolve()
        output = runner.build_dir() / "record" / path.name
        outcome = runner.execute(path, output, env=runner.isolated_env(f"record-{path.stem}"))
        if not outcome.ok:
            print(outcome.describe(), file=sys.stderr)
            status = 1
            continue
        executed, source = nbio.read(output), nbio.read(path)
        recorded = 0
        for index in nbval_inputs.tagged_cells(source):
            text = "".join(
                out.get("text", "")
                for out in executed.cells[index].outputs
                if out.get("output_type") == "stream" and out.get("name") == "stdout"
            )
            source.cells[index].metadata["expected_output"] = text
            recorded += 1
        nbio.write(nbio.normalized(source), path)
        print(f"{path.name}: recorded the output of {recorded} cell(s)")
    return status
