"""The Compose profile "monitoring": Prometheus rules and Grafana dashboard, checked offline.

``docker/monitoring/`` holds the Prometheus configuration and alerting rules and Grafana's
provisioning and dashboard. Nothing here needs Prometheus or Grafana (promtool is not on
PyPI): the files are read and checked in Python.

- :func:`load_rules`, :func:`load_prometheus_config`, :func:`load_dashboards` read them, and
  :func:`all_expressions` lists every PromQL expression they hold;
- :func:`prometheus_series` gives the series Prometheus makes itself (``up``, ``ALERTS``),
  to check expressions with :func:`~mlops_course.containers.promql.expression_problems`
  (re-exported here with :func:`parse_promql` and :func:`exposed_series`);
- :func:`rules_problems`, :func:`dashboard_problems` and :func:`review_monitoring` check the
  shape of the rules file, of the dashboard, and how Compose wires them.

The metrics are taught in notebook 07; the profile in notebook 05.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from mlops_course.config import project_root
from mlops_course.containers.files import MONITORING_DIR
from mlops_course.containers.promql import (  # noqa: F401  (public here too)
    TARGET_LABELS,
    Labels,
    Matcher,
    Query,
    Selector,
    exposed_series,
    expression_problems,
    parse_promql,
)

#: The files of the profile, relative to the repository root.
PROMETHEUS_CONFIG = MONITORING_DIR / "prometheus.yml"
ALERT_RULES = MONITORING_DIR / "alerts.yml"
DASHBOARDS = MONITORING_DIR / "grafana" / "dashboards"
DATASOURCES = MONITORING_DIR / "grafana" / "provisioning" / "datasources"
#: Severity labels the course's alerts use.
SEVERITIES = ("info", "warning", "critical")

# --------------------------------------------------------------------------------------
# The files: rules, dashboard, Compose wiring


def _yaml(path: Path) -> Any:
    import yaml

    return yaml.safe_load(path.read_text())


def load_rules(path: str | Path | None = None) -> dict[str, Any]:
    """Read the alerting rules file (default: ``docker/monitoring/alerts.yml``)."""
    return _yaml(Path(path) if path else project_root() / ALERT_RULES)


def load_prometheus_config(path: str | Path | None = None) -> dict[str, Any]:
    """Read Prometheus's configuration (default: ``docker/monitoring/prometheus.yml``)."""
    return _yaml(Path(path) if path else project_root() / PROMETHEUS_CONFIG)


def load_dashboards(folder: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """Read the provisioned Grafana dashboards: file name -> dashboard."""
    folder = Path(folder) if folder else project_root() / DASHBOARDS
    return {p.name: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


def _rules(rules: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for group in rules.get("groups") or []:
        for rule in (group or {}).get("rules") or []:
            if isinstance(rule, Mapping):
                yield str(group.get("name")), rule


def prometheus_series(rules: Mapping[str, Any], config: Mapping[str, Any]) -> dict[str, Labels]:
    """The series Prometheus makes itself: ``up`` per scrape job, ``ALERTS`` per rule."""
    jobs = {str(job.get("job_name")) for job in config.get("scrape_configs") or []}
    target: Labels = {"job": jobs, "instance": None}
    alerts: Labels = {"alertname": set(), "alertstate": {"pending", "firing"}, **target}
    for _, rule in _rules(rules):
        if "alert" in rule:
            alerts["alertname"].add(str(rule["alert"]))  # type: ignore[union-attr]
            for label, value in (rule.get("labels") or {}).items():
                seen = alerts.setdefault(str(label), set())
                if seen is not None:
                    seen.add(str(value))
            for selector in parse_promql(str(rule.get("expr", ""))).selectors:
                for matcher in selector.matchers:
                    alerts.setdefault(matcher.label, None)
    series = {name: dict(target) for name in ("up", "scrape_duration_seconds")}
    series["ALERTS"] = alerts
    series["ALERTS_FOR_STATE"] = {k: v for k, v in alerts.items() if k != "alertstate"}
    return series


def rule_expressions(rules: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return ``(alert or record name, expr)`` for each rule."""
    return [
        (str(rule.get("alert") or rule.get("record")), str(rule.get("expr", "")))
        for _, rule in _rules(rules)
    ]


def dashboard_expressions(dashboard: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return ``(panel title, expr)`` for each query of each panel (rows included)."""
    found = []
    for panel in _panels(dashboard):
        for target in panel.get("targets") or []:
            if target.get("expr"):
                found.append((str(panel.get("title")), str(target["expr"])))
    return found


def _panels(dashboard: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for panel in dashboard.get("panels") or []:
        yield panel
        yield from panel.get("panels") or []  # collapsed rows hold their panels


_DURATION = re.compile(r"^(?:\d+(?:ms|s|m|h|d|w|y))+$")
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_GROUP_KEYS = {"name", "interval", "rules", "limit", "query_offset", "labels"}
_ALERT_KEYS = {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}
_RECORD_KEYS = {"record", "expr", "labels"}


def rules_problems(rules: Any) -> list[str]:
    """Check the shape of a Prometheus rules file as Prometheus would load it, and the
    course's conventions (a ``severity`` label, a ``summary`` annotation); empty: fine."""
    if not isinstance(rules, Mapping) or set(rules) != {"groups"}:
        return ["le fichier de règles doit être un dictionnaire avec la seule clé groups"]
    groups = rules["groups"]
    if not isinstance(groups, list) or not groups:
        return ["groups doit être une liste non vide"]
    problems: list[str] = []
    group_names: set[str] = set()
    alert_names: set[str] = set()
    for index, group in enumerate(groups):
        where = f"groupe {index}"
        if not isinstance(group, Mapping):
            problems.append(f"{where} : un groupe est un dictionnaire")
            continue
        name = group.get("name")
        if not isinstance(name, str) or not name:
            problems.append(f"{where} : il manque name")
        elif name in group_names:
            problems.append(f"{where} : nom de groupe en double {name!r}")
        group_names.add(str(name))
        where = f"groupe {name!r}"
        problems += [f"{where} : clé inconnue {k!r}" for k in sorted(set(group) - _GROUP_KEYS)]
        if "interval" in group and not _DURATION.match(str(group["interval"])):
            problems.append(f"{where} : interval {group['interval']!r} n'est pas une durée")
        if not isinstance(group.get("rules"), list) or not group["rules"]:
            problems.append(f"{where} : rules doit être une liste non vide")
            continue
        for rule in group["rules"]:
            problems += _rule_problems(rule, where, alert_names)
    return problems


def _rule_problems(rule: Any, where: str, alert_names: set[str]) -> list[str]:
    if not isinstance(rule, Mapping):
        return [f"{where} : une règle est un dictionnaire"]
    if ("alert" in rule) == ("record" in rule):
        return [f"{where} : une règle a soit alert, soit record (pas les deux, pas aucun)"]
    kind = "alert" if "alert" in rule else "record"
    name = str(rule[kind])
    where = f"{where}, règle {name!r}"
    problems = [
        f"{where} : clé inconnue {k!r}"
        for k in sorted(set(rule) - (_ALERT_KEYS if kind == "alert" else _RECORD_KEYS))
    ]
    if kind == "record" and not re.match(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$", name):
        problems.append(f"{where} : record doit être un nom de métrique valide")
    if kind == "alert":
        if name in alert_names:
            problems.append(f"{where} : nom d'alerte en double")
        alert_names.add(name)
    expr = rule.get("expr")
    if not isinstance(expr, str) or not expr.strip():
        problems.append(f"{where} : il manque expr")
    else:
        try:
            parse_promql(expr)
        except ValueError as error:
            problems.append(f"{where} : expr illisible : {error}")
    for key in ("for", "keep_firing_for"):
        if key in rule and not _DURATION.match(str(rule[key])):
            problems.append(f"{where} : {key} {rule[key]!r} n'est pas une durée (5m, 1h...)")
    for key in ("labels", "annotations"):
        values = rule.get(key, {})
        if not isinstance(values, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in values.items()
        ):
            problems.append(f"{where} : {key} doit associer des chaînes à des chaînes")
            continue
        problems += [
            f"{where} : nom de label invalide {k!r}"
            for k in values
            if key == "labels" and not _LABEL_NAME.match(k)
        ]
        problems += [
            f"{where} : {key}.{k} : accolades {{{{ }}}} déséquilibrées"
            for k, v in values.items()
            if v.count("{{") != v.count("}}")
        ]
    if kind == "alert":
        if (rule.get("labels") or {}).get("severity") not in SEVERITIES:
            problems.append(f"{where} : label severity absent ou hors de {SEVERITIES}")
        if not (rule.get("annotations") or {}).get("summary"):
            problems.append(f"{where} : il manque l'annotation summary (le titre de l'alerte)")
    return problems


def datasource_uids(folder: str | Path | None = None) -> set[str]:
    """The uids of the datasources Grafana provisions."""
    folder = Path(folder) if folder else project_root() / DATASOURCES
    return {
        str(source.get("uid"))
        for path in sorted(folder.glob("*.y*ml"))
        for source in (_yaml(path) or {}).get("datasources") or []
    }


def dashboard_problems(dashboard: Mapping[str, Any], uids: Iterable[str]) -> list[str]:
    """Check a Grafana dashboard: uid and title, unique panel ids, panels on the grid that
    do not overlap, every query on a provisioned datasource with a unique refId."""
    uids = set(uids)
    problems = [f"il manque {key}" for key in ("uid", "title") if not dashboard.get(key)]
    seen_ids: set[Any] = set()
    boxes: list[tuple[str, Mapping[str, Any]]] = []
    for panel in _panels(dashboard):
        title = panel.get("title", "?")
        if panel.get("id") in seen_ids:
            problems.append(f"panneau {title!r} : id {panel.get('id')} en double")
        seen_ids.add(panel.get("id"))
        if panel.get("type") == "row":
            continue
        grid = panel.get("gridPos") or {}
        if not all(isinstance(grid.get(k), int) for k in "xywh") or grid["x"] + grid["w"] > 24:
            problems.append(f"panneau {title!r} : gridPos hors de la grille de 24 colonnes")
        else:
            boxes.append((title, grid))
        targets = panel.get("targets") or []
        if not targets:
            problems.append(f"panneau {title!r} : aucune requête")
        refs = [t.get("refId") for t in targets]
        if len(set(refs)) != len(refs) or None in refs:
            problems.append(f"panneau {title!r} : refId absents ou en double")
        for source in [panel.get("datasource"), *(t.get("datasource") for t in targets)]:
            uid = (source or {}).get("uid") if isinstance(source, Mapping) else source
            if uid is not None and uid not in uids:
                problems.append(f"panneau {title!r} : source de données {uid!r} non provisionnée")
    for n, (title, a) in enumerate(boxes):
        for other, b in boxes[n + 1 :]:
            if (
                a["x"] < b["x"] + b["w"]
                and b["x"] < a["x"] + a["w"]
                and a["y"] < b["y"] + b["h"]
                and b["y"] < a["y"] + a["h"]
            ):
                problems.append(f"les panneaux {title!r} et {other!r} se chevauchent")
    return problems


def _mounts(service: Mapping[str, Any]) -> dict[str, str]:
    """container path -> host path (relative to the Compose file) of bind mounts."""
    found = {}
    for volume in service.get("volumes") or []:
        if isinstance(volume, Mapping):
            found[str(volume.get("target"))] = str(volume.get("source"))
        else:
            parts = str(volume).split(":")
            if len(parts) >= 2 and parts[0].startswith((".", "/")):
                found[parts[1]] = parts[0]
    return found


def review_monitoring(compose: Mapping[str, Any], compose_dir: Path) -> list[str]:
    """Check how Compose runs the profile: Prometheus scrapes a service's port at a route
    the API serves, its rule files are mounted from files that exist, Grafana gets its
    provisioning, and the monitoring services stay out of the default start."""
    services = compose.get("services") or {}
    problems: list[str] = []
    for name in ("prometheus", "grafana"):
        if name not in services:
            problems.append(f"pas de service {name}")
        elif services[name].get("profiles") != ["monitoring"]:
            problems.append(f"le service {name} doit être dans le seul profil monitoring")
    if problems:
        return problems
    mounts = _mounts(services["prometheus"])
    config_path = next((h for c, h in mounts.items() if c.endswith("prometheus.yml")), None)
    if config_path is None:
        return ["prometheus.yml n'est pas monté dans le service prometheus"]
    config = _yaml(compose_dir / config_path)
    for rule_file in config.get("rule_files") or []:
        if rule_file not in mounts:
            problems.append(f"rule_files cite {rule_file}, qui n'est pas monté dans prometheus")
        elif not (compose_dir / mounts[rule_file]).is_file():
            problems.append(f"{mounts[rule_file]} (monté sur {rule_file}) n'existe pas")
    for job in config.get("scrape_configs") or []:
        for static in job.get("static_configs") or []:
            for target in static.get("targets") or []:
                host, _, port = str(target).partition(":")
                if host not in services:
                    problems.append(f"la cible {target} ne nomme aucun service Compose")
                elif port != "8000" and host == "api":
                    problems.append(f"la cible {target} : l'API écoute sur le port 8000")
        if job.get("metrics_path", "/metrics") != "/metrics":
            problems.append(f"{job.get('job_name')} : l'API expose ses métriques sur /metrics")
    grafana = _mounts(services["grafana"])
    if not any(c.startswith("/etc/grafana/provisioning") for c in grafana):
        problems.append("la configuration de Grafana (provisioning) n'est pas montée")
    return problems


def all_expressions(root: Path | None = None) -> list[tuple[str, str]]:
    """Every PromQL expression of the profile: ``(where, expr)`` for rules and dashboards."""
    root = root or project_root()
    found = [(f"alerte {n}", e) for n, e in rule_expressions(load_rules(root / ALERT_RULES))]
    for file, dashboard in load_dashboards(root / DASHBOARDS).items():
        found += [(f"{file} : {title}", e) for title, e in dashboard_expressions(dashboard)]
    return found
