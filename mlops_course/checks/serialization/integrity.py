"""Checks of notebook 03_sauvegarde_versioning_onnx, exercise 2: ``est_intact(chemin)``, a
file's sha256 held against its manifest without ever loading (unpickling) the file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from mlops_course import serialization
from mlops_course.checks import call, expect, require, success


def _flip_one_byte_of(path: Path, needle: bytes) -> None:
    content = bytearray(path.read_bytes())
    index = content.index(needle)
    content[index] ^= 0x01
    path.write_bytes(bytes(content))


def exercice_2(est_intact: Callable[[Path], bool]) -> None:
    """The learner writes ``est_intact(chemin)``: compare the file's sha256 with its manifest.

    The file given is a booby-trapped pickle whose only effect, if it is ever unpickled, is a
    marker file in a temporary folder: a right answer never sets it off.
    """
    what = "Exercice 2"
    require(est_intact, what)
    with tempfile.TemporaryDirectory(prefix="exercice-2-") as folder:
        folder_path = Path(folder)
        marker = folder_path / "piege-declenche.txt"
        model = folder_path / "modele.pkl"
        text = "Le modele a ete charge : le code du fichier a tourne.\n"
        model.write_bytes(serialization.unsafe_pickle_payload(marker, text))
        manifest = serialization.Manifest(
            name="exercice",
            version="1",
            sklearn_version="-",
            feature_names=[],
            labels=[],
        ).with_file(model.name, serialization.sha256_of(model))
        manifest.save(serialization.manifest_path(model))

        def answer(case: str) -> bool:
            result = call(est_intact, model, what=what)
            expect(
                not marker.exists(),
                "votre fonction a chargé (désérialisé) le fichier : le piège s'est déclenché ! "
                "Calculez l'empreinte des octets du fichier sans jamais le charger.",
            )
            expect(
                isinstance(result, bool) or type(result).__name__ == "bool_",
                f"votre fonction doit renvoyer True ou False, pas {type(result).__name__} "
                f"({case}) : comparez les deux empreintes avec ==.",
            )
            return bool(result)

        expect(
            answer("fichier intact") is True,
            "le fichier n'a pas été modifié mais votre fonction renvoie False : l'empreinte "
            "attendue est hashlib.sha256(octets du fichier).hexdigest(), comparée à "
            "manifeste.files[chemin.name] (le nom du fichier, pas son chemin complet).",
        )
        _flip_one_byte_of(model, text[:12].encode())
        expect(
            answer("fichier modifié") is False,
            "un octet du fichier a changé (sa taille, non) et votre fonction renvoie encore "
            "True : comparez l'empreinte sha256 du contenu, pas la taille ni la date.",
        )
    success("Votre fonction détecte un fichier modifié d'un seul octet, sans le charger.")
