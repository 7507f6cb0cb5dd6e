"""What an audit says: one :class:`Finding` per rule (pass, fail, cannot tell), a report.

Taught in notebook 08_bonnes_pratiques (§8.3): data first (``to_dict``), text on top
(``to_text``); a required rule that fails makes the report fail.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Status(StrEnum):
    """The outcome of one rule: a stable code (JSON, CI), with a French :attr:`label`."""

    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "cannot tell"

    @property
    def label(self) -> str:
        """The status in French, for people (``"indéterminé"`` for ``cannot tell``)."""
        return {"pass": "réussi", "fail": "échoué", "cannot tell": "indéterminé"}[self.value]


@dataclass(frozen=True)
class Finding:
    """The result of one rule, tied to a line of the chapter's checklist."""

    rule: str
    area: str
    status: Status
    reason: str
    fix: str = ""
    required: bool = True

    @property
    def check(self) -> str:
        """The former name of :attr:`rule` (notebook 08 still reads it)."""
        return self.rule


@dataclass(frozen=True)
class Verdict:
    """Builds the findings of one rule, so each rule names its id and area once."""

    rule: str
    area: str

    def passed(self, reason: str, *, required: bool = True) -> Finding:
        """The rule holds."""
        return Finding(self.rule, self.area, Status.PASS, reason, required=required)

    def failed(self, reason: str, fix: str, *, required: bool = True) -> Finding:
        """The rule is broken; ``fix`` says how to repair it."""
        return Finding(self.rule, self.area, Status.FAIL, reason, fix, required=required)

    def unknown(self, reason: str, *, required: bool = True) -> Finding:
        """The project does not let the rule tell."""
        return Finding(self.rule, self.area, Status.UNKNOWN, reason, required=required)


@dataclass
class AuditReport:
    """All findings for one project; data first, text on top."""

    path: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def failures(self) -> list[Finding]:
        """Required rules that failed."""
        return [f for f in self.findings if f.status is Status.FAIL and f.required]

    @property
    def passed(self) -> bool:
        """True when no required rule failed."""
        return not self.failures

    def status_of(self, rule: str) -> Status:
        """Return the status of one rule by its id."""
        for finding in self.findings:
            if finding.rule == rule:
                return finding.status
        raise KeyError(f"no rule named {rule!r}; rules: {[f.rule for f in self.findings]}")

    def to_dict(self) -> dict:
        """Return the report as JSON-ready data."""
        return {
            "path": self.path,
            "passed": self.passed,
            "findings": [
                {**asdict(f), "status": str(f.status), "status_label": f.status.label}
                for f in self.findings
            ],
        }

    def to_text(self) -> str:
        """Return the report as aligned lines, one per rule, with the fixes."""
        marks = {Status.PASS: "✅", Status.FAIL: "❌", Status.UNKNOWN: "❔"}
        lines = [f"Audit MLOps de {self.path}"]
        for f in self.findings:
            optional = "" if f.required else " (conseillé)"
            lines.append(f"{marks[f.status]} {f.area:<14} {f.rule:<22} {f.reason}{optional}")
            if f.status is not Status.PASS and f.fix:
                lines.append(f"   → {f.fix}")
        verdict = "OK" if self.passed else f"{len(self.failures)} point(s) bloquant(s)"
        lines.append(f"Résultat : {verdict}")
        return "\n".join(lines)
