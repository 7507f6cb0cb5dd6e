"""The ``mlops-course`` command: one subcommand per task, each owned by its module.

The notebooks run the modules behind it: ``model`` (notebook 03), ``serve`` (04),
``container`` (05), ``audit`` (08), ``pipeline`` and ``new-project`` (09); the others
maintain the notebooks.

Every subcommand is ``module:function`` where ``function(argv: list[str]) -> int`` parses
its own arguments with :class:`ArgumentParser` (argparse speaking French: a learner reads
its help and its errors); modules are imported only when their command runs, so
``mlops-course --help`` stays fast and needs neither MLflow nor onnxruntime.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from typing import NoReturn

#: subcommand -> (target "module:function", one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "lab": (
        "mlops_course.courseware.lab:cli",
        "ouvrir le cours dans JupyterLab, en français (ce que fait `make lab`)",
    ),
    "check": (
        "mlops_course.courseware.check:cli",
        "lint, tests, notebooks, sorties nbval (ce que fait `make check` ; ÉTAPE pour une seule)",
    ),
    "site": (
        "mlops_course.courseware.website:cli",
        "construire le site statique du cours dans build/site/ (ce que fait `make site`)",
    ),
    "binder": (
        "mlops_course.courseware.binder:cli",
        "exporter binder/requirements.txt depuis uv.lock (--check : comparer seulement)",
    ),
    "exercises": (
        "mlops_course.courseware.commands:exercises",
        "régénérer exercises/ depuis solutions/ (--check : comparer seulement)",
    ),
    "workspace": (
        "mlops_course.courseware.commands:workspace",
        "copier dans mon-travail/ les exercices pas encore commencés",
    ),
    "quiz": (
        "mlops_course.courseware.questionnaire:cli",
        "écrire le questionnaire de chaque notebook depuis mlops_course/quiz (--check)",
    ),
    "progress": (
        "mlops_course.progress:cli",
        "exécuter vos notebooks de mon-travail/ et afficher la checklist du chapitre",
    ),
    "grade": (
        "mlops_course.courseware.grading:cli",
        "noter une classe : notebooks de chaque apprenant isolés, grades.csv + rapports",
    ),
    "format-notebooks": (
        "mlops_course.courseware.commands:format_notebooks",
        "vider les sorties, fixer ids de cellules et kernelspec (--check : vérifier seulement)",
    ),
    "nbval-prepare": (
        "mlops_course.courseware.commands:nbval_prepare",
        "écrire dans build/nbval/ les notebooks portant les sorties attendues",
    ),
    "record-outputs": (
        "mlops_course.courseware.commands:record_outputs",
        "exécuter des notebooks et garder les sorties des cellules nbval (auteurs)",
    ),
    "report": (
        "mlops_course.courseware.report:cli",
        "afficher le bilan d'un `make check` depuis build/reports/",
    ),
    "model": (
        "mlops_course.serialization:cli",
        "entraîner le modèle servi (champion du §2.3) : model/pipeline_v1.{joblib,onnx}",
    ),
    "serve": ("mlops_course.api.server:cli", "lancer l'API de prédiction avec uvicorn"),
    "audit": ("mlops_course.audit:cli", "auditer un projet selon la checklist du chapitre"),
    "pipeline": (
        "mlops_course.capstone:cli",
        "exécuter la boucle complète du capstone (notebook 09), de bout en bout",
    ),
    "new-project": (
        "mlops_course.new_project:cli",
        "créer le projet final à compléter (classifieur de vins), sans écraser de fichier",
    ),
    "container": (
        "mlops_course.containers:cli",
        "tester une image de l'API construite (il faut un moteur Docker)",
    ),
}


#: argparse's English error messages (Python 3.11 to 3.14) -> their French version.
_ERRORS: tuple[tuple[str, str], ...] = (
    (r"the following arguments are required: (.*)", r"argument obligatoire manquant : \1"),
    (r"unrecognized arguments: (.*)", r"argument inconnu : \1"),
    (
        r"argument (.*?): invalid choice: (.*?) \(choose from (.*)\)",
        r"\1 : \2 n'est pas permis (choix : \3)",
    ),
    (r"argument (.*?): invalid int value: (.*)", r"\1 attend un nombre entier, pas \2"),
    (r"argument (.*?): invalid float value: (.*)", r"\1 attend un nombre, pas \2"),
    (r"argument (.*?): invalid \w+ value: (.*)", r"\1 : valeur invalide \2"),
    (r"argument (.*?): expected one argument", r"\1 attend une valeur"),
    (r"argument (.*?): expected at least one argument", r"\1 attend au moins une valeur"),
    (r"argument (.*?): not allowed with argument (.*)", r"\1 est incompatible avec \2"),
    (r"ambiguous option: (.*?) could match (.*)", r"option ambiguë \1 : \2 ?"),
)


class _FrenchHelpFormatter(argparse.HelpFormatter):
    """argparse's help layout with a French ``usage :`` line."""

    def add_usage(self, usage, actions, groups, prefix=None) -> None:  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, "usage : " if prefix is None else prefix)


class ArgumentParser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` whose help and errors are in French (what learners read)."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", _FrenchHelpFormatter)
        super().__init__(add_help=False, **kwargs)  # type: ignore[arg-type]
        # argparse appends ":" to a section title; French puts a space before it.
        self._positionals.title = "arguments "
        self._optionals.title = "options "
        self.add_argument(
            "-h", "--help", action="help", default=argparse.SUPPRESS, help="afficher cette aide"
        )

    def error(self, message: str) -> NoReturn:
        """Print the usage and the error in French, then exit with status 2 (as argparse)."""
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {french_error(message)}\n")


def french_error(message: str) -> str:
    """argparse's English error ``message`` in French (unchanged when it is not one of them)."""
    for pattern, replacement in _ERRORS:
        if re.fullmatch(pattern, message, flags=re.DOTALL):
            return re.sub(pattern, replacement, message, flags=re.DOTALL)
    return message


def _usage() -> str:
    width = max(map(len, COMMANDS))
    lines = ["usage : mlops-course COMMANDE [ARGUMENTS...]", "", "commandes :"]
    lines += [f"  {name:<{width}}  {text}" for name, (_, text) in COMMANDS.items()]
    lines += ["", "`mlops-course COMMANDE --help` : les arguments d'une commande."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Dispatch to a subcommand; return its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"mlops-course : commande inconnue {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module_name, _, function_name = COMMANDS[name][0].partition(":")
    function = getattr(importlib.import_module(module_name), function_name)
    return int(function(rest) or 0)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
