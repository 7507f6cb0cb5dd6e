"""PromQL, read enough to check it: which series an expression reads, and whether they exist.

- :func:`parse_promql` finds the metric names, label matchers (``{route="/predict"}``) and
  grouping labels (``by (le)``) of an expression;
- :func:`exposed_series` reads a ``GET /metrics`` text: the series it exposes (``_bucket``,
  ``_count``, ``_sum`` of histograms, ``_total`` of counters) and their labels;
- :func:`expression_problems` says what an expression reads that is not exposed.

Used to keep the Prometheus rules and the Grafana dashboard of ``docker/monitoring/`` true to
the API (:mod:`mlops_course.containers.prometheus`); the metrics are taught in notebook 07.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

#: Labels Prometheus adds to every scraped series.
TARGET_LABELS = ("job", "instance")

# --------------------------------------------------------------------------------------
# PromQL: which series an expression reads


@dataclass(frozen=True)
class Matcher:
    """One label matcher of a selector: ``label op "value"`` (op: = != =~ !~)."""

    label: str
    op: str
    value: str


@dataclass(frozen=True)
class Selector:
    """A vector selector: a metric name (None if only ``{__name__=...}``) and its matchers."""

    metric: str | None
    matchers: tuple[Matcher, ...] = ()

    @property
    def name(self) -> str | None:
        """The metric name, from the identifier or an ``__name__="..."`` matcher."""
        if self.metric:
            return self.metric
        named = [m.value for m in self.matchers if m.label == "__name__" and m.op == "="]
        return named[0] if named else None


@dataclass(frozen=True)
class Query:
    """What :func:`parse_promql` found in one expression."""

    selectors: tuple[Selector, ...]
    grouping: tuple[str, ...] = field(default=())


_TOKEN = re.compile(
    r"""(?P<space>\s+|\#[^\n]*)
    |(?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)
    |(?P<duration>(?:\d+(?:ms|s|m|h|d|w|y))+(?![\w.]))
    |(?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    |(?P<variable>\$\{?\w+\}?)
    |(?P<ident>[a-zA-Z_:][a-zA-Z0-9_:]*)
    |(?P<op>=~|!~|!=|==|>=|<=|[-+*/%^<>=@,(){}\[\]:])""",
    re.VERBOSE,
)
_GROUPING = {"by", "without", "on", "ignoring", "group_left", "group_right"}
_WORDS = {"and", "or", "unless", "bool", "offset", "atan2", "inf", "nan", "start", "end"}
_AGGREGATIONS = {
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
    "bottomk", "topk", "quantile", "limitk", "limit_ratio",
}  # fmt: skip


def _tokens(expr: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(expr):
        found = _TOKEN.match(expr, position)
        if found is None:
            raise ValueError(f"caractère inattendu {expr[position]!r} à la position {position}")
        kind = found.lastgroup or ""
        if kind != "space":
            tokens.append((kind, found.group()))
        position = found.end()
    return tokens


def _unquote(text: str) -> str:
    """The value of a PromQL string literal (Go escapes: JSON's, for what rules use)."""
    if text.startswith("`"):
        return text[1:-1]
    if text.startswith("'"):
        text = '"' + text[1:-1].replace("\\'", "'").replace('"', '\\"') + '"'
    return json.loads(text)


def parse_promql(expr: str) -> Query:
    """Return the selectors and grouping labels of PromQL ``expr``.

    Enough PromQL for the rules and dashboards of this course (functions, aggregations with
    ``by``/``without``, binary operators with ``on``/``ignoring``, ranges, subqueries,
    ``offset``, Grafana's ``$__rate_interval``). Raises ``ValueError`` on unbalanced
    brackets or a malformed matcher.
    """
    tokens = _tokens(expr)
    selectors: list[Selector] = []
    grouping: list[str] = []
    depth = {"(": 0, "[": 0}
    i = 0

    def matchers_from(start: int) -> tuple[tuple[Matcher, ...], int]:
        found, j = [], start + 1  # tokens[start] is "{"
        while j < len(tokens) and tokens[j][1] != "}":
            if tokens[j][1] == ",":
                j += 1
                continue
            if j + 2 >= len(tokens):
                break
            (kind, label), (_, op), (value_kind, value) = tokens[j : j + 3]
            if kind != "ident" or op not in {"=", "!=", "=~", "!~"} or value_kind != "string":
                raise ValueError(f"matcher mal formé près de {label!r} dans {expr!r}")
            found.append(Matcher(label, op, _unquote(value)))
            j += 3
        if j >= len(tokens):
            raise ValueError(f"accolade non fermée dans {expr!r}")
        return tuple(found), j + 1

    while i < len(tokens):
        kind, text = tokens[i]
        following = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        if text in "([":
            depth[text] += 1
            if text == "[":  # a range or a subquery: durations only, skip to "]"
                while i < len(tokens) and tokens[i][1] != "]":
                    i += 1
                depth["["] -= 1
                if i >= len(tokens):
                    raise ValueError(f"crochet non fermé dans {expr!r}")
            i += 1
        elif text == ")":
            depth["("] -= 1
            if depth["("] < 0:
                raise ValueError(f"parenthèse fermante en trop dans {expr!r}")
            i += 1
        elif text == "{":
            matchers, i = matchers_from(i)
            selectors.append(Selector(None, matchers))
        elif kind == "ident" and text in _GROUPING:
            i += 1
            if i < len(tokens) and tokens[i][1] == "(":
                i += 1
                while i < len(tokens) and tokens[i][1] != ")":
                    if tokens[i][0] == "ident":
                        grouping.append(tokens[i][1])
                    i += 1
                i += 1
        elif kind == "ident" and (
            following == "("
            or text.lower() in _WORDS
            or (text in _AGGREGATIONS and following in _GROUPING)
        ):
            i += 1  # a function, an aggregation or a keyword: not a series
        elif kind == "ident":
            if following == "{":
                matchers, i = matchers_from(i + 1)
            else:
                matchers, i = (), i + 1
            selectors.append(Selector(text, matchers))
        else:
            i += 1
    if depth["("] != 0:
        raise ValueError(f"parenthèses déséquilibrées dans {expr!r}")
    return Query(tuple(selectors), tuple(dict.fromkeys(grouping)))


# --------------------------------------------------------------------------------------
# What the API exposes

#: label -> values seen (None: any value is possible, e.g. ``instance``).
Labels = dict[str, set[str] | None]

_SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "summary": ("", "_count", "_sum", "_created"),
    "gauge": ("",),
    "untyped": ("",),
    "info": ("_info",),
    "stateset": ("",),
    "gaugehistogram": ("_bucket", "_gcount", "_gsum"),
}


def exposed_series(metrics_text: str) -> dict[str, Labels | None]:
    """Return the series of a Prometheus text exposition: name -> labels -> values seen.

    A family announced without samples yet (a labelled counter nobody incremented) still
    gives its names, mapped to None: its labels cannot be known until it has a sample.
    """
    from prometheus_client.parser import text_string_to_metric_families

    series: dict[str, Labels | None] = {}
    for family in text_string_to_metric_families(metrics_text):
        for suffix in _SUFFIXES.get(family.type, ("",)):
            series.setdefault(family.name + suffix, None)
        for sample in family.samples:
            labels = series.get(sample.name)
            if labels is None:
                labels = series[sample.name] = {}
            for label, value in sample.labels.items():
                seen = labels.setdefault(label, set())
                if seen is not None:
                    seen.add(value)
    return series


def expression_problems(
    expr: str, series: Mapping[str, Labels | None], *, jobs: Iterable[str] = ()
) -> list[str]:
    """Return what PromQL ``expr`` reads that ``series`` does not hold (empty: nothing).

    Each metric must exist; each label matcher must name a label of that metric (or a
    target label, ``job``/``instance``); an equality matcher must name a value seen (so a
    typo such as ``route="/predit"`` is caught), a regex must compile; each grouping label
    (``by``, ``on``...) must be a label of one of the expression's metrics.
    """
    try:
        query = parse_promql(expr)
    except ValueError as error:
        return [str(error)]
    if not query.selectors:
        return [f"{expr!r} ne lit aucune série"]
    problems: list[str] = []
    jobs = set(jobs)
    labels_read: set[str] = set(TARGET_LABELS)
    for selector in query.selectors:
        name = selector.name
        if name is None or name not in series:
            problems.append(f"métrique inconnue de l'API : {name or selector}")
            continue
        known: Labels = {label: None for label in TARGET_LABELS}
        if jobs:
            known["job"] = jobs
        if series[name] is None:
            unknown = [m.label for m in selector.matchers if m.label not in known]
            if unknown:
                problems.append(
                    f"{name} n'a encore aucun échantillon : impossible de vérifier ses labels "
                    f"{unknown} (envoyez d'abord le trafic qui le produit)"
                )
            continue
        known.update(series[name])
        labels_read |= set(known)
        for matcher in selector.matchers:
            if matcher.label == "__name__":
                continue
            if matcher.label not in known:
                problems.append(
                    f"{name} n'a pas de label {matcher.label!r} (labels : "
                    f"{', '.join(sorted(known))})"
                )
                continue
            values = known[matcher.label]
            if matcher.op in {"=~", "!~"}:
                try:
                    re.compile(matcher.value)
                except re.error as error:
                    problems.append(f"{name}{{{matcher.label}{matcher.op}...}} : regex {error}")
            elif matcher.op == "=" and values is not None and matcher.value not in values:
                problems.append(
                    f'{name}{{{matcher.label}="{matcher.value}"}} : aucune série n\'a cette '
                    f"valeur (vues : {', '.join(sorted(values)) or 'aucune'})"
                )
    for label in query.grouping:
        if label not in labels_read:
            problems.append(
                f"regroupement par {label!r} : aucune métrique de {expr!r} n'a ce label"
            )
    return problems
