"""Integrity of saved models: a manifest beside the files, a sha256 checked before loading.

Taught in notebook 03_sauvegarde_versioning_onnx (§3.1). ``<stem>.manifest.json``
records the sha256 of each file of one model (``.joblib``, ``.pkl``, ``.onnx``), its name
and version, the scikit-learn version, feature names, labels and metrics;
:func:`read_verified` hashes a file's bytes and compares them with it **before** anything
is loaded. Shared by the joblib/pickle loaders and the ONNX predictor (numpy-free).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata as _metadata
from pathlib import Path
from typing import Any

from mlops_course.constants import FEATURES, LABELS, MODEL_NAME, MODEL_STEM

#: Suffix of a manifest: ``<stem>.manifest.json`` describes every ``<stem>.*`` file.
MANIFEST_SUFFIX = ".manifest.json"
#: Manifest of the chapter's model files.
MANIFEST_NAME = f"{MODEL_STEM}{MANIFEST_SUFFIX}"


class IntegrityError(Exception):
    """A model file's hash or metadata does not match its manifest (or the expected hash)."""


def sha256_of(path: str | os.PathLike[str]) -> str:
    """Return the hex sha256 of a file's bytes (read in 1 MiB chunks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_path(model_file: str | os.PathLike[str]) -> Path:
    """Return the manifest beside a model file (``a.onnx`` → ``a.manifest.json``).

    Every file of one stem (``.joblib``, ``.pkl``, ``.onnx``) shares this manifest.
    """
    path = Path(model_file)
    if not path.suffix:
        raise ValueError(f"model_file must have an extension (.joblib, .pkl, .onnx), got {path}")
    return path.with_name(path.stem + MANIFEST_SUFFIX)


@dataclass(frozen=True)
class Manifest:
    """What was saved: identity, environment, schema, metrics, and the sha256 of each file."""

    name: str
    version: str
    sklearn_version: str
    feature_names: list[str]
    labels: list[str]
    metrics: dict[str, float] = field(default_factory=dict)
    created_at: str = ""
    files: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the manifest as plain JSON-ready data."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Manifest:
        """Build a manifest from :meth:`to_dict` data; unknown or missing keys are errors."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown, missing = sorted(set(raw) - names), sorted(names - set(raw))
        if unknown or missing:
            raise IntegrityError(
                f"manifeste mal formé : clés inconnues {unknown}, clés manquantes {missing}"
            )
        return cls(
            name=str(raw["name"]),
            version=str(raw["version"]),
            sklearn_version=str(raw["sklearn_version"]),
            feature_names=[str(x) for x in raw["feature_names"]],
            labels=[str(x) for x in raw["labels"]],
            metrics={str(k): float(v) for k, v in raw["metrics"].items()},
            created_at=str(raw["created_at"]),
            files={str(k): str(v) for k, v in raw["files"].items()},
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Manifest:
        """Read a manifest JSON file."""
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise IntegrityError(
                f"le manifeste {path} n'est pas du JSON valide : {error}"
            ) from error
        if not isinstance(raw, dict):
            raise IntegrityError(f"le manifeste {path} doit contenir un objet JSON")
        return cls.from_dict(raw)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the manifest as indented JSON (atomically: a reader never sees half a file)."""
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        return write_atomically(Path(path), text.encode("utf-8"))

    def with_file(self, file_name: str, sha256: str) -> Manifest:
        """Return a copy that also records ``file_name`` with its hash."""
        return dataclasses.replace(self, files={**self.files, file_name: sha256})


@dataclass(frozen=True)
class VerifiedFile:
    """The bytes of a model file whose hash was checked, and the manifest that vouched for it."""

    path: Path
    data: bytes
    sha256: str
    manifest: Manifest | None


def read_verified(
    path: str | os.PathLike[str],
    *,
    expected_sha256: str | None = None,
    require_manifest: bool = True,
) -> VerifiedFile:
    """Read a model file and check its sha256 against its manifest and/or ``expected_sha256``.

    The bytes returned are the bytes that were hashed: load the model from them, not from
    the path again (the file could change in between).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        IntegrityError: the hash differs, the manifest does not list the file, or there is
            nothing to check against (no manifest and no ``expected_sha256``).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"fichier de modèle introuvable : {path}")
    data = path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if expected_sha256 is not None and actual != expected_sha256.strip().lower():
        raise IntegrityError(
            f"{path.name} : son empreinte sha256 {actual} diffère de l'empreinte attendue "
            f"(expected_sha256) {expected_sha256} : le fichier a été modifié, ou ce n'est pas "
            "celui que vous attendez. Rien n'a été chargé."
        )
    where = manifest_path(path)
    manifest = Manifest.load(where) if where.is_file() else None
    if manifest is None:
        if require_manifest and expected_sha256 is None:
            raise IntegrityError(
                f"{path.name} : pas de manifeste ({where}) ni d'empreinte attendue "
                "(expected_sha256) : l'origine du fichier ne peut pas être vérifiée. Rien n'a "
                "été chargé."
            )
        return VerifiedFile(path, data, actual, None)
    recorded = manifest.files.get(path.name)
    if recorded is None:
        raise IntegrityError(
            f"{path.name} : le manifeste {where.name} ne mentionne pas ce fichier (il "
            f"mentionne {sorted(manifest.files)}). Rien n'a été chargé."
        )
    if recorded != actual:
        raise IntegrityError(
            f"{path.name} : empreinte sha256 différente : le fichier donne {actual}, le "
            f"manifeste {where.name} a enregistré {recorded} ({len(data)} octets sur le "
            "disque). Le fichier a été modifié après son enregistrement, ou le manifeste "
            "décrit un autre fichier. Rien n'a été chargé."
        )
    return VerifiedFile(path, data, actual, manifest)


def sklearn_version() -> str:
    """The installed scikit-learn version (recorded in a manifest, checked before unpickling)."""
    return _metadata.version("scikit-learn")


def write_atomically(path: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path``, then rename it: never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a model is read by other users
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def labels_of(classes: Any) -> list[str]:
    """The chapter's label of each class code (``0`` → ``"setosa"``); other classes as text."""
    labels = []
    for code in list(classes):
        try:
            index = int(code)
        except (TypeError, ValueError):
            index = -1
        labels.append(LABELS[index] if 0 <= index < len(LABELS) else str(code))
    return labels


def feature_names_of(pipeline: Any) -> list[str]:
    """The feature names a fitted pipeline saw (the chapter's when it saw none)."""
    names = getattr(pipeline, "feature_names_in_", None)
    return [str(x) for x in names] if names is not None else list(FEATURES)


def record_file(
    pipeline: Any,
    path: Path,
    *,
    name: str | None,
    version: str | None,
    metrics: Mapping[str, float] | None,
) -> Manifest:
    """Record ``path``'s hash in the manifest beside it, and return the manifest written.

    One manifest describes one model version in several formats: the entries of the other
    files (same stem) are kept when the existing manifest has the same name and version.
    """
    where = manifest_path(path)
    try:
        previous = Manifest.load(where) if where.is_file() else None
    except IntegrityError:  # an unreadable manifest is replaced, not merged
        previous = None
    name = name or (previous.name if previous else MODEL_NAME)
    version = str(version or (previous.version if previous else "1"))
    same = previous is not None and (previous.name, previous.version) == (name, version)
    if metrics is None and same:
        metrics = previous.metrics
    manifest = Manifest(
        name=name,
        version=version,
        sklearn_version=sklearn_version(),
        feature_names=feature_names_of(pipeline),
        labels=labels_of(getattr(pipeline, "classes_", [])),
        metrics={str(k): float(v) for k, v in (metrics or {}).items()},
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        files=dict(previous.files) if same else {},
    ).with_file(path.name, sha256_of(path))
    manifest.save(where)
    return manifest
