"""The model registry with aliases and a validation gate (§2.5): register, promote, roll back.

Taught in notebook 02_experiment_tracking_mlflow (and run end to end by the capstone,
notebook 09). A candidate gets the ``challenger`` alias; the promotion gate scores it on
held-out data and makes it ``champion`` only when its F1 is strictly above 0.95
(:data:`~mlops_course.constants.PROMOTION_MIN_F1`); the decision is kept in model-version
tags. Registry *stages* are deprecated since MLflow 2.9 and are never used here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mlops_course import data
from mlops_course.constants import MODEL_NAME, PROMOTION_METRIC, PROMOTION_MIN_F1
from mlops_course.mlflow_store import client, quiet_mlflow, run_model_uri, use_store

if TYPE_CHECKING:  # pragma: no cover
    from mlflow import MlflowClient
    from sklearn.pipeline import Pipeline

#: Alias of a registered candidate waiting for (or refused by) the validation gate.
CHALLENGER = "challenger"
#: Alias of the version that serves production (the API loads ``models:/iris-classifier@champion``).
CHAMPION = "champion"

# Version tags written by the gate and the rollback.
TAG_STATUS = "validation_status"  # "passed" or "rejected"
TAG_METRIC = "validation_metric"
TAG_VALUE = "validation_value"
TAG_THRESHOLD = "validation_threshold"
TAG_DATA = "validation_data"
TAG_AT = "validated_at"
TAG_PREVIOUS = "previous_champion"  # the champion this version replaced
TAG_ROLLED_BACK = "rolled_back_to"  # set on a champion that was rolled back
PASSED, REJECTED = "passed", "rejected"


@dataclass(frozen=True)
class RegisteredVersion:
    """One version of a registered model, as the notebooks and the capstone need it."""

    name: str
    version: str
    run_id: str
    run_name: str
    source: str
    aliases: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def uri(self) -> str:
        """The registry URI of this exact version (``models:/iris-classifier/3``)."""
        return f"models:/{self.name}/{self.version}"


def _version(mlflow_client: MlflowClient, model_version: Any) -> RegisteredVersion:
    run_name = ""
    if model_version.run_id:
        run_name = mlflow_client.get_run(model_version.run_id).info.run_name or ""
    return RegisteredVersion(
        name=model_version.name,
        version=str(model_version.version),
        run_id=model_version.run_id or "",
        run_name=run_name,
        source=model_version.source,
        aliases=tuple(model_version.aliases or ()),
        tags=dict(model_version.tags or {}),
    )


def get_version(version: str | int, *, name: str = MODEL_NAME) -> RegisteredVersion:
    """Return version ``version`` of registered model ``name``."""
    mlflow_client = client()
    return _version(mlflow_client, mlflow_client.get_model_version(name, str(version)))


def version_by_alias(alias: str = CHAMPION, *, name: str = MODEL_NAME) -> RegisteredVersion | None:
    """Return the version ``alias`` points at, or None if the alias (or model) is not set."""
    return _version_by_alias(client(), alias, name)


def _version_by_alias(
    mlflow_client: MlflowClient, alias: str, name: str
) -> RegisteredVersion | None:
    version = aliases(name=name).get(alias)
    if version is None:
        return None
    return _version(mlflow_client, mlflow_client.get_model_version(name, version))


def aliases(*, name: str = MODEL_NAME) -> dict[str, str]:
    """Return the aliases of registered model ``name`` (alias → version); empty if none."""
    from mlflow.exceptions import MlflowException

    try:
        registered = client().get_registered_model(name)
    except MlflowException as error:
        if error.error_code == "RESOURCE_DOES_NOT_EXIST":
            return {}
        raise
    return {alias: str(version) for alias, version in sorted(registered.aliases.items())}


def register(
    run_id: str, *, name: str = MODEL_NAME, alias: str | None = CHALLENGER
) -> RegisteredVersion:
    """Register the model of run ``run_id`` as a version of ``name`` and point ``alias`` at it.

    Idempotent: if that run's model is already a version of ``name``, that version is
    reused instead of creating a duplicate. ``alias`` (``challenger`` by default) marks the
    candidate that the gate must now check; pass None to set no alias.
    """
    mlflow_client = client()
    source = run_model_uri(run_id)
    existing = [
        v
        for v in mlflow_client.search_model_versions(f"name = '{name}' and run_id = '{run_id}'")
        if v.source == source
    ]
    if existing:
        version = str(min(int(v.version) for v in existing))
    else:
        # The client, not mlflow.register_model: the same result without its stderr lines.
        if not mlflow_client.search_registered_models(filter_string=f"name = '{name}'"):
            mlflow_client.create_registered_model(name)
        version = str(mlflow_client.create_model_version(name, source, run_id=run_id).version)
    if alias is not None:
        mlflow_client.set_registered_model_alias(name, alias, version)
    return get_version(version, name=name)


@dataclass(frozen=True)
class GateDecision:
    """What the validation gate decided for one version, and where ``champion`` stands."""

    name: str
    version: str
    metric: str
    value: float
    threshold: float
    passed: bool
    champion_before: str | None = None
    champion_after: str | None = None

    @property
    def promoted(self) -> bool:
        """True when this decision moved ``champion`` to :attr:`version`."""
        return self.champion_after == self.version and self.champion_before != self.version

    def summary(self) -> str:
        """Return a short French sentence describing the decision."""
        comparison = ">" if self.passed else "≤"
        verdict = "validée" if self.passed else "refusée"
        head = (
            f"{self.name} v{self.version} : {self.metric} = {self.value:.4f} {comparison} "
            f"{self.threshold} → {verdict}"
        )
        if self.promoted:
            before = f"v{self.champion_before}" if self.champion_before else "aucun"
            return f"{head} ; champion : {before} → v{self.version}."
        champion = f"v{self.champion_after}" if self.champion_after else "aucun"
        return f"{head} ; champion inchangé ({champion})."


def _valid_threshold(threshold: float) -> float:
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be in (0, 1), got {threshold!r}")
    return float(threshold)


def validate(
    version: str | int,
    *,
    name: str = MODEL_NAME,
    split: data.Split | None = None,
    metric: str = PROMOTION_METRIC,
    threshold: float = PROMOTION_MIN_F1,
) -> GateDecision:
    """Run the validation gate on one version and record the decision in its tags.

    The version's model is loaded from the registry and scored on held-out data (the test
    part of ``split``, the chapter's split by default); it passes when ``metric`` is
    strictly greater than ``threshold``. Aliases are not moved: see :func:`promote`.
    """
    import mlflow.sklearn

    from mlops_course import training

    threshold = _valid_threshold(threshold)
    if metric not in training.METRICS:
        raise ValueError(f"metric must be one of {list(training.METRICS)}, got {metric!r}")
    split = split or data.split()
    mlflow_client = client()
    version = str(version)
    with quiet_mlflow():
        model = mlflow.sklearn.load_model(f"models:/{name}/{version}")
    value = training.evaluate(model, split.X_test, split.y_test)[metric]
    passed = value > threshold
    recorded = {
        TAG_STATUS: PASSED if passed else REJECTED,
        TAG_METRIC: metric,
        TAG_VALUE: f"{value:.6f}",
        TAG_THRESHOLD: str(threshold),
        TAG_DATA: f"test split ({len(split.X_test)} rows)",
        TAG_AT: datetime.now(UTC).isoformat(timespec="seconds"),
    }
    for key, text in recorded.items():
        mlflow_client.set_model_version_tag(name, version, key, text)
    champion = aliases(name=name).get(CHAMPION)
    return GateDecision(name, version, metric, value, threshold, passed, champion, champion)


def promote(
    version: str | int | None = None,
    *,
    name: str = MODEL_NAME,
    split: data.Split | None = None,
    metric: str = PROMOTION_METRIC,
    threshold: float = PROMOTION_MIN_F1,
) -> GateDecision:
    """Validate a version (the ``challenger`` by default) and make it ``champion`` if it passes.

    On success the version replaced is kept in the tag ``previous_champion`` (what
    :func:`rollback` returns to) and the ``challenger`` alias is removed. On refusal
    nothing moves: ``champion`` keeps serving, and ``challenger`` stays on the refused
    version for inspection; the decision is in the version's tags either way.
    """
    mlflow_client = client()
    if version is None:
        challenger = aliases(name=name).get(CHALLENGER)
        if challenger is None:
            raise LookupError(f"model {name!r} has no {CHALLENGER!r} alias: register a candidate")
        version = challenger
    decision = validate(version, name=name, split=split, metric=metric, threshold=threshold)
    if not decision.passed:
        return decision
    before = decision.champion_before
    if before != decision.version:
        if before is not None:
            mlflow_client.set_model_version_tag(name, decision.version, TAG_PREVIOUS, before)
        mlflow_client.set_registered_model_alias(name, CHAMPION, decision.version)
    if aliases(name=name).get(CHALLENGER) == decision.version:
        mlflow_client.delete_registered_model_alias(name, CHALLENGER)
    return GateDecision(
        name,
        decision.version,
        metric,
        decision.value,
        decision.threshold,
        True,
        before,
        decision.version,
    )


def rollback(to_version: str | int | None = None, *, name: str = MODEL_NAME) -> RegisteredVersion:
    """Point ``champion`` back at an earlier version and return it.

    By default, the version the current champion replaced (its ``previous_champion``
    tag). The target must have passed the gate. The abandoned version is tagged
    ``rolled_back_to``; the target's own history is left as it was, so a second rollback
    goes further back instead of bouncing forward.

    Raises:
        LookupError: there is no champion, or no previous champion is recorded.
        ValueError: the target did not pass the validation gate.
    """
    mlflow_client = client()
    current = _version_by_alias(mlflow_client, CHAMPION, name)
    if current is None:
        raise LookupError(f"model {name!r} has no {CHAMPION!r}: there is nothing to roll back")
    if to_version is None:
        previous = current.tags.get(TAG_PREVIOUS)
        if previous is None:
            raise LookupError(
                f"champion v{current.version} of {name!r} records no {TAG_PREVIOUS!r}; "
                "pass to_version explicitly"
            )
        to_version = previous
    target = get_version(to_version, name=name)
    if target.tags.get(TAG_STATUS) != PASSED:
        raise ValueError(
            f"to_version must be a version that passed the gate; v{target.version} has "
            f"{TAG_STATUS}={target.tags.get(TAG_STATUS)!r}"
        )
    if target.version != current.version:
        mlflow_client.set_model_version_tag(name, current.version, TAG_ROLLED_BACK, target.version)
        mlflow_client.set_registered_model_alias(name, CHAMPION, target.version)
    return get_version(target.version, name=name)


def alias_uri(alias: str = CHAMPION, *, name: str = MODEL_NAME) -> str:
    """Return the URI that follows an alias (``models:/iris-classifier@champion``)."""
    return f"models:/{name}@{alias}"


def load_by_alias(alias: str = CHAMPION, *, name: str = MODEL_NAME) -> Pipeline:
    """Load the scikit-learn model an alias points at, from the registry.

    The skops file is loaded with the trusted types stored beside it (see
    :data:`TRUSTED_TYPES`).
    """
    import mlflow.sklearn

    use_store()
    with quiet_mlflow():
        return mlflow.sklearn.load_model(alias_uri(alias, name=name))
