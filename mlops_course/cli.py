"""The ``mlops-course`` command: one subcommand per task, each owned by its module.

The notebooks run the modules behind it: ``model`` (notebook 03), ``serve`` (04),
``container`` (05), ``audit`` (08), ``pipeline`` and ``new-project`` (09); the others
maintain the notebooks.

Every subcommand is ``module:function`` where ``function(argv: list[str]) -> int`` parses
its own arguments; modules are imported only when their command runs, so
``mlops-course --help`` stays fast and needs neither MLflow nor onnxruntime.
"""

from __future__ import annotations

import importlib
import sys

#: subcommand -> (target "module:function", one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "lab": (
        "mlops_course.courseware.lab:cli",
        "open the course in JupyterLab, in French (what `make lab` does)",
    ),
    "check": (
        "mlops_course.courseware.check:cli",
        "lint, tests, notebooks, nbval outputs (what `make check` does; STEP to run one)",
    ),
    "site": (
        "mlops_course.courseware.website:cli",
        "build the course as a static website in build/site/ (what `make site` does)",
    ),
    "binder": (
        "mlops_course.courseware.binder:cli",
        "export binder/requirements.txt from uv.lock (--check: only compare)",
    ),
    "exercises": (
        "mlops_course.courseware.commands:exercises",
        "regenerate exercises/ from solutions/ (--check: only compare)",
    ),
    "workspace": (
        "mlops_course.courseware.commands:workspace",
        "copy the exercises a learner has not started yet into mon-travail/",
    ),
    "quiz": (
        "mlops_course.courseware.questionnaire:cli",
        "write the questionnaire of each solution notebook from mlops_course/quiz (--check)",
    ),
    "progress": (
        "mlops_course.progress:cli",
        "run your notebooks of mon-travail/ and show the chapter's checklist, done or not",
    ),
    "grade": (
        "mlops_course.courseware.grading:cli",
        "grade a class: run every learner's notebooks in isolation, write grades.csv + reports",
    ),
    "format-notebooks": (
        "mlops_course.courseware.commands:format_notebooks",
        "strip outputs, pin cell ids and kernelspec (--check: only verify)",
    ),
    "nbval-prepare": (
        "mlops_course.courseware.commands:nbval_prepare",
        "write build/nbval/ notebooks carrying the expected outputs of tagged cells",
    ),
    "record-outputs": (
        "mlops_course.courseware.commands:record_outputs",
        "run notebooks and store what their nbval-tagged cells print (for authors)",
    ),
    "report": (
        "mlops_course.courseware.report:cli",
        "print the summary of a `make check` run from build/reports/",
    ),
    "model": (
        "mlops_course.serialization:cli",
        "train the served model (champion of §2.3): model/pipeline_v1.{joblib,onnx} + manifest",
    ),
    "serve": ("mlops_course.api.server:cli", "run the prediction API with uvicorn"),
    "audit": ("mlops_course.audit:cli", "audit a project against the chapter's checklist"),
    "pipeline": ("mlops_course.capstone:cli", "run the capstone loop end to end"),
    "new-project": (
        "mlops_course.new_project:cli",
        "create the end project to complete (wine classifier), never over existing files",
    ),
    "container": (
        "mlops_course.containers:cli",
        "smoke-test a built API image (needs a Docker engine)",
    ),
}


def _usage() -> str:
    width = max(map(len, COMMANDS))
    lines = ["usage: mlops-course COMMAND [ARGS...]", "", "commands:"]
    lines += [f"  {name:<{width}}  {text}" for name, (_, text) in COMMANDS.items()]
    lines += ["", "`mlops-course COMMAND --help` for the arguments of one command."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Dispatch to a subcommand; return its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"mlops-course: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module_name, _, function_name = COMMANDS[name][0].partition(":")
    function = getattr(importlib.import_module(module_name), function_name)
    return int(function(rest) or 0)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
