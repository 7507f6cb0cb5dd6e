"""The chapter's skills are shown in lecture code and written by the learner in an exercise.

"Write it, then industrialise it": each skill of chapter §2–§4 and §6–§7 must appear in a
visible code cell of its lecture notebook (not only inside ``mlops_course``), and the learner
must type it: it occurs more often in the solution notebook's code than in the generated
exercise's, so the stub hides at least one occurrence behind a ``SOLUTION`` marker.
"""

from __future__ import annotations

import re

import pytest

from mlops_course.courseware import notebooks as nbio

#: skill -> (notebook number, pattern in lecture code, pattern the learner writes)
SKILLS: dict[str, tuple[str, str, str]] = {
    "mlflow.start_run": ("02", r"mlflow\.start_run\(", r"mlflow\.start_run\("),
    "log_params": ("02", r"log_params\(", r"log_params\("),
    "log_metrics": ("02", r"log_metrics?\(", r"log_metrics?\("),
    "mlflow.<flavor>.log_model": ("02", r"mlflow\.\w+\.log_model\(", r"mlflow\.\w+\.log_model\("),
    "register_model": (
        "02",
        r"register_model\(|create_model_version\(",
        r"register_model\(|create_model_version\(",
    ),
    "set_registered_model_alias": (
        "02",
        r"set_registered_model_alias\(",
        r"set_registered_model_alias\(",
    ),
    "joblib.dump": ("03", r"joblib\.dump\(", r"joblib\.dump\("),
    "convert_sklearn": ("03", r"convert_sklearn\(", r"convert_sklearn\("),
    "InferenceSession": ("03", r"InferenceSession\(", r"InferenceSession\("),
    "FastAPI lifespan": ("04", r"lifespan=", r"lifespan"),
    "POST /predict": ("04", r"\.post\(\s*[\"']/predict[\"']", r"\.post\(\s*[\"']/predict[\"']"),
    "GET /health": ("04", r"\.get\(\s*[\"']/health[\"']", r"\.get\(\s*[\"']/health[\"']"),
    "Pydantic BaseModel with Field": ("04", r"\(BaseModel\)[\s\S]*Field\(", r"Field\("),
    "robustness test": ("06", r"class TestModelRobustesse", r"assert "),
    # The lecture shows the repository's own file (printed, then explained line by line).
    "release workflow": ("06", r"\"release\.yml\"\)\.read_text\(\)", r"tags: \[?\"?v\*"),
    "ks_2samp": ("07", r"ks_2samp\(", r"ks_2samp\("),
    "chi2_contingency": ("07", r"chi2_contingency\(", r"chi2_contingency\("),
    "Holm correction": ("07", r"(?i)holm", r"(?i)holm|sorted\(|argsort\("),
    "effect size": ("07", r"(?i)effet", r"(?i)effet"),
    "alert with hysteresis": ("07", r"(?i)de_suite|consecuti", r"(?i)de_suite|consecuti"),
}


def code(folder: str, number: str) -> str:
    """The code cells of ``folder/NN_*.ipynb``, joined."""
    (path,) = (p for p in nbio.discover(folder) if p.name.startswith(f"{number}_"))
    return "\n".join(cell.source for cell in nbio.read(path).cells if cell.cell_type == "code")


@pytest.mark.parametrize("skill", sorted(SKILLS))
def test_the_lecture_writes_the_skill_in_a_code_cell(skill: str) -> None:
    number, lecture, _ = SKILLS[skill]
    assert re.search(lecture, code("notebooks", number)), f"{skill} not in notebook {number}'s code"


@pytest.mark.parametrize("skill", sorted(SKILLS))
def test_the_learner_writes_the_skill_in_an_exercise(skill: str) -> None:
    number, _, written = SKILLS[skill]
    in_solution = len(re.findall(written, code("solutions", number)))
    in_stub = len(re.findall(written, code("exercises", number)))
    assert in_solution > in_stub, f"{skill}: the exercise stub of {number} already gives it"
