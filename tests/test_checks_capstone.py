"""Notebook 09's checks refuse the stub and typical wrong answers, and accept the right one."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from mlops_course.checks import capstone as checks

pytestmark = [
    # SQLAlchemy 2.1 deprecates a loader strategy MLflow 3.17's store uses (third-party).
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated"),
    pytest.mark.slow,
]

CHAMPION, PREVIOUS = "champion", "previous_champion"


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One MLflow store for this module: the checks' three models are logged once."""
    return tmp_path_factory.mktemp("capstone-checks")


@pytest.fixture(autouse=True)
def _one_store(shared_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLOPS_COURSE_HOME", str(shared_home))


# --------------------------------------------------------------------------- exercise 1


def _model_uri(client: Any, run_id: str) -> str:
    return f"models:/{client.get_run(run_id).outputs.model_outputs[0].model_id}"


def enregistrer_stub(client, nom, run_id): ...


def enregistrer(client, nom, run_id):
    return client.create_model_version(nom, _model_uri(client, run_id), run_id=run_id).version


def enregistrer_runs_uri(client, nom, run_id):
    return client.create_model_version(nom, f"runs:/{run_id}/model", run_id=run_id).version


def enregistrer_et_promouvoir(client, nom, run_id):
    version = enregistrer(client, nom, run_id)
    client.set_registered_model_alias(nom, CHAMPION, version)
    return version


def enregistrer_version_en_dur(client, nom, run_id):
    enregistrer(client, nom, run_id)
    return "2"


def enregistrer_en_recreant(client, nom, run_id):
    client.create_registered_model(nom)
    return enregistrer(client, nom, run_id)


def enregistrer_le_champion(client, nom, run_id):
    champion = client.get_model_version_by_alias(nom, CHAMPION)
    return enregistrer(client, nom, champion.run_id)


def enregistrer_objet(client, nom, run_id):
    return client.create_model_version(nom, _model_uri(client, run_id), run_id=run_id)


def test_exercise_1_registers_a_new_loadable_version_without_moving_champion(
    check_contract: Any,
) -> None:
    check_contract(
        checks.exercice_1,
        stub=enregistrer_stub,
        right=enregistrer,
        wrongs=[
            (enregistrer_runs_uri, "LoggedModel"),
            (enregistrer_et_promouvoir, "champion a bougé"),
            (enregistrer_version_en_dur, "renvoyer le numéro de la version qu'elle vient"),
            (enregistrer_en_recreant, "existe déjà"),
            (enregistrer_le_champion, "autre run"),
            (enregistrer_objet, "numéro de la version"),
        ],
    )


# --------------------------------------------------------------------------- exercise 2


def _gate(score: str, comparison: str = ">", alias: str | None = None, latest: bool = False):
    def passe_la_porte(nom, version, X_test, y_test, seuil=0.95):
        import mlflow.sklearn
        from mlflow import MlflowClient
        from sklearn.metrics import accuracy_score, f1_score

        if alias:
            uri = f"models:/{nom}@{alias}"
        elif latest:
            versions = MlflowClient().search_model_versions(f"name = '{nom}'")
            uri = f"models:/{nom}/{max(int(v.version) for v in versions)}"
        else:
            uri = f"models:/{nom}/{version}"
        predicted = mlflow.sklearn.load_model(uri).predict(X_test)
        value = {
            "weighted": lambda: f1_score(y_test, predicted, average="weighted"),
            "macro": lambda: f1_score(y_test, predicted, average="macro"),
            "accuracy": lambda: accuracy_score(y_test, predicted),
        }[score]()
        if comparison == "value":
            return value
        return value > seuil if comparison == ">" else value >= seuil

    return passe_la_porte


def porte_stub(nom, version, X_test, y_test, seuil=0.95): ...


def test_exercise_2_gate_uses_the_version_weighted_f1_and_a_strict_threshold(
    check_contract: Any,
) -> None:
    check_contract(
        checks.exercice_2,
        stub=porte_stub,
        right=_gate("weighted"),
        wrongs=[
            (_gate("accuracy"), "l'accuracy dépasse le seuil"),
            (_gate("macro"), "F1 macro dépasse le seuil"),
            (_gate("weighted", ">="), "strictement"),
            (_gate("weighted", alias=CHAMPION), "évaluez la version reçue"),
            (_gate("weighted", latest=True), "ni la dernière version"),
            (_gate("weighted", "value"), "True ou False"),
        ],
    )


# --------------------------------------------------------------------------- exercise 3


def _champion(client: Any, nom: str) -> str | None:
    found = client.get_registered_model(nom).aliases.get(CHAMPION)
    return None if found is None else str(found)


def promouvoir_stub(client, nom, version, porte): ...


def promouvoir(client, nom, version, porte):
    actuel = _champion(client, nom)
    if not porte(version):
        return False
    if actuel is not None:
        client.set_model_version_tag(nom, version, PREVIOUS, actuel)
    client.set_registered_model_alias(nom, CHAMPION, version)
    return True


def promouvoir_avant_la_porte(client, nom, version, porte):
    actuel = _champion(client, nom)
    client.set_registered_model_alias(nom, CHAMPION, version)
    if porte(version):
        client.set_model_version_tag(nom, version, PREVIOUS, actuel)
        return True
    client.set_registered_model_alias(nom, CHAMPION, actuel)
    return False


def promouvoir_sans_porte(client, nom, version, porte):
    actuel = _champion(client, nom)
    verdict = porte(version)
    client.set_model_version_tag(nom, version, PREVIOUS, actuel)
    client.set_registered_model_alias(nom, CHAMPION, version)
    return verdict


def promouvoir_en_dur(client, nom, version, porte):
    actuel = _champion(client, nom)
    if not porte(version):
        return False
    client.set_model_version_tag(nom, version, PREVIOUS, actuel)
    client.set_registered_model_alias(nom, CHAMPION, "3")
    return True


def promouvoir_sans_trace(client, nom, version, porte):
    if not porte(version):
        return False
    client.set_registered_model_alias(nom, CHAMPION, version)
    return True


def promouvoir_porte_du_champion(client, nom, version, porte):
    actuel = _champion(client, nom)
    if not porte(actuel):
        return False
    client.set_model_version_tag(nom, version, PREVIOUS, actuel)
    client.set_registered_model_alias(nom, CHAMPION, version)
    return True


def test_exercise_3_champion_moves_only_after_the_gate_and_remembers_the_previous_one(
    check_contract: Any,
) -> None:
    check_contract(
        checks.exercice_3,
        stub=promouvoir_stub,
        right=promouvoir,
        wrongs=[
            (promouvoir_avant_la_porte, "champion a bougé avant la porte"),
            (promouvoir_sans_porte, "la porte a refusé la version, mais champion a bougé"),
            (promouvoir_en_dur, "pas un numéro écrit en dur"),
            (promouvoir_sans_trace, "version qu'elle remplace"),
            (promouvoir_porte_du_champion, "sur la version candidate"),
        ],
    )


# --------------------------------------------------------------------------- exercise 4


def recharger_stub(http, version): ...


def recharger(http, version, delai=30.0):
    http.post("/admin/reload").raise_for_status()
    limite = time.monotonic() + delai
    while http.get("/ready").status_code != 200:
        if time.monotonic() > limite:
            raise RuntimeError("l'API n'est pas prête")
        time.sleep(0.01)
    modele = http.get("/model").json()
    if str(modele["version"]) != str(version):
        raise RuntimeError(f"l'API sert la version {modele['version']}, pas {version}")
    return modele


def recharger_sans_attendre(http, version):
    http.post("/admin/reload").raise_for_status()
    modele = http.get("/model").json()
    if str(modele["version"]) != str(version):
        raise RuntimeError("mauvaise version")
    return modele


def recharger_sans_verifier(http, version):
    http.post("/admin/reload")
    while http.get("/ready").status_code != 200:
        time.sleep(0.01)
    return http.get("/model").json()


def recharger_en_croyant_la_reponse(http, version):
    reponse = http.post("/admin/reload").json()
    while http.get("/ready").status_code != 200:
        time.sleep(0.01)
    if str(reponse.get("version")) != str(version):
        raise RuntimeError("mauvaise version")
    return http.get("/model").json()


def recharger_en_attendant_health(http, version):
    http.post("/admin/reload").raise_for_status()
    while http.get("/health").status_code != 200:
        time.sleep(0.01)
    modele = http.get("/model").json()
    if str(modele["version"]) != str(version):
        raise RuntimeError("mauvaise version")
    return modele


def verifier_sans_recharger(http, version):
    modele = http.get("/model").json()
    if str(modele.get("version")) != str(version):
        raise RuntimeError("mauvaise version")
    return modele


def test_exercise_4_reload_waits_for_ready_and_verifies_the_served_version(
    check_contract: Any,
) -> None:
    check_contract(
        checks.exercice_4,
        stub=recharger_stub,
        right=recharger,
        wrongs=[
            (recharger_sans_attendre, "Attendez que GET /ready réponde 200"),
            (recharger_en_attendant_health, "Attendez que GET /ready réponde 200"),
            (recharger_sans_verifier, "doit lever une erreur"),
            (recharger_en_croyant_la_reponse, "Ne vous fiez pas à la réponse du rechargement"),
            (verifier_sans_recharger, "appelez POST /admin/reload"),
        ],
    )


# --------------------------------------------------------------------------- exercise 5


def revenir_stub(client, http, nom): ...


def revenir_en_arriere(client, http, nom):
    actuelle = client.get_model_version_by_alias(nom, CHAMPION)
    precedente = actuelle.tags[PREVIOUS]
    client.set_registered_model_alias(nom, CHAMPION, precedente)
    recharger(http, precedente)
    return precedente


def revenir_au_numero_precedent(client, http, nom):
    actuelle = client.get_model_version_by_alias(nom, CHAMPION)
    precedente = str(int(actuelle.version) - 1)
    client.set_registered_model_alias(nom, CHAMPION, precedente)
    recharger(http, precedente)
    return precedente


def revenir_a_la_derniere(client, http, nom):
    versions = client.search_model_versions(f"name = '{nom}'")
    derniere = str(max(int(v.version) for v in versions))
    client.set_registered_model_alias(nom, CHAMPION, derniere)
    recharger(http, derniere)
    return derniere


def revenir_a_la_v1(client, http, nom):
    client.set_registered_model_alias(nom, CHAMPION, "1")
    recharger(http, "1")
    return "1"


def revenir_sans_recharger(client, http, nom):
    precedente = client.get_model_version_by_alias(nom, CHAMPION).tags[PREVIOUS]
    client.set_registered_model_alias(nom, CHAMPION, precedente)
    return precedente


def test_exercise_5_rollback_follows_the_previous_champion_and_reloads_the_api(
    check_contract: Any,
) -> None:
    check_contract(
        checks.exercice_5,
        stub=revenir_stub,
        right=revenir_en_arriere,
        wrongs=[
            (revenir_au_numero_precedent, "ni la version d'avant en numéro"),
            (revenir_a_la_derniere, "champion pointe toujours sur la version qui sert"),
            (revenir_a_la_v1, "n'est pas la version remplacée"),
            (revenir_sans_recharger, "l'API sert encore"),
        ],
    )


# --------------------------------------------------------------------------- exercise 6


def reagir_stub(http, reentrainer): ...


def reagir_aux_alertes(http, reentrainer):
    etats = http.get("/monitoring/alertes").json()["etats"]
    if etats.get("DATA_DRIFT") == "firing":
        reentrainer()
        return True
    return False


def reagir_a_l_historique(http, reentrainer):
    alertes = http.get("/monitoring/alertes").json()["alertes"]
    if any(a["type"] == "DATA_DRIFT" and a["etat"] == "firing" for a in alertes):
        reentrainer()
        return True
    return False


def reagir_a_toute_alerte(http, reentrainer):
    etats = http.get("/monitoring/alertes").json()["etats"]
    if "firing" in etats.values():
        reentrainer()
        return True
    return False


def reagir_des_pending(http, reentrainer):
    etats = http.get("/monitoring/alertes").json()["etats"]
    if etats.get("DATA_DRIFT") != "ok":
        reentrainer()
        return True
    return False


def reagir_sans_reponse(http, reentrainer):
    if http.get("/monitoring/alertes").json()["etats"].get("DATA_DRIFT") == "firing":
        reentrainer()
    return "ok"


def test_exercise_6_only_a_drift_alert_firing_now_starts_the_retraining(
    check_contract: Any,
) -> None:
    check_contract(
        checks.exercice_6,
        stub=reagir_stub,
        right=reagir_aux_alertes,
        wrongs=[
            (reagir_a_l_historique, "pas l'historique des événements"),
            (reagir_a_toute_alerte, "seule l'alerte DATA_DRIFT"),
            (reagir_des_pending, "pas « pending »"),
            (reagir_sans_reponse, "renvoyez True si le réentraînement a été lancé"),
        ],
    )


def test_the_gate_cases_tell_the_three_scores_apart() -> None:
    from mlops_course.checks import capstone_scenes as scenes

    runs = scenes.scene_runs()
    cases = checks.gate_cases(runs)
    thresholds = [threshold for _, threshold, _, _ in cases]
    assert len(set(thresholds)) == len(thresholds)
    assert [verdict for _, _, verdict, _ in cases] == [True, False, False, False]
    good = checks._scores(runs.good, runs.X_held_out, runs.y_held_out)
    weak = checks._scores(runs.weak, runs.X_held_out, runs.y_held_out)
    # the macro case: only macro F1 is above its threshold; the accuracy case: accuracy is
    assert good["accuracy"] <= thresholds[1] < good["macro"]
    assert weak["weighted"] < thresholds[2] < weak["accuracy"]
