"""Audit a project directory against the chapter's production checklist (§8.3, §8.4).

Taught in notebook 08_bonnes_pratiques. Each *rule* (:mod:`~.rules`) reads the project
(:mod:`~.project`; when it is a git checkout, the list of tracked files too) and returns a
:class:`Finding` (:mod:`~.findings`): ``pass``, ``fail`` or ``cannot tell``, with the
reason and the fix. Required rules that fail make :attr:`AuditReport.passed` false and
the ``mlops-course audit`` command (:mod:`~.runner`) exit with status 1.
"""

from __future__ import annotations

from mlops_course.audit import completion  # noqa: F401  (registers its rules after RULES')
from mlops_course.audit.findings import AuditReport, Finding, Status, Verdict
from mlops_course.audit.project import Project
from mlops_course.audit.rules import CLASSIC_MISTAKES, RULES, Rule, rule
from mlops_course.audit.runner import SAMPLE_PROJECT, audit, cli, commit_all, init_sample

#: The former name of :data:`RULES` ("check" now means only the exercises' checks).
CHECKS = RULES

__all__ = [
    "CHECKS",
    "CLASSIC_MISTAKES",
    "RULES",
    "SAMPLE_PROJECT",
    "AuditReport",
    "Finding",
    "Project",
    "Rule",
    "Status",
    "Verdict",
    "audit",
    "cli",
    "commit_all",
    "init_sample",
    "rule",
]
