"""Segment definitions: one YAML file per segment under `segments/`, validated, versioned by content.

A definition has an `id` (the file's name without `.yaml`), a `name`, a `description`, a `rule`
(see `dmp.segments.rules`), `consent` (`required` unless it says `not_required`) and
`membership_ttl_days` (how long a member stays in after it last qualified), and `realtime: true` for
a segment the stream (`dmp.stream`) adds members to while they browse. Only a single keyword or theme
rule over the current day (`window_days: 1`) can be real-time: the stream sees today's events only,
and only adds members, so a condition must be one that more of today's events can only make true
(not `min_share`, which falls as other reading comes in, nor `regularly`, which spans weeks). Every
problem is a `ConfigError` naming the file, the field and what is allowed. The version is a hash of
the parsed definition (who qualifies; `realtime` only says when members are added and is left out),
so reformatting a file or editing a comment keeps its version; changing a rule does not.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from dmp.errors import ConfigError
from dmp.segments.rules import (
    ATTRIBUTE_SCALES, DEFAULT_TERM, OPERATORS, ORDER_OPERATORS, SET_OPERATORS, TERM_DAYS, AllOf, AnyOf,
    AttributeRule, KeywordRule, Not, Regularly, Rule, SegmentRef, ThemeRule, leaves,
)
from dmp.tagging.taxonomy import Taxonomy

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
DEFINITION_SUFFIX = ".yaml"
VERSION_CHARS = 12
DEFAULT_TTL_DAYS = 7
CONSENT_VALUES = ("required", "not_required")
TOP_FIELDS = frozenset({"id", "name", "description", "rule", "consent", "membership_ttl_days", "realtime"})
THEME_FIELDS = frozenset({"theme", "term", "window_days", "min_active_days", "min_events", "min_share",
                          "min_decayed_score", "regularly"})
THEME_CONDITIONS = ("min_active_days", "min_events", "min_share", "min_decayed_score", "regularly")
KEYWORD_FIELDS = frozenset({"keywords", "match", "term", "window_days", "weights", "min_weight", "fields"})
PAGE_FIELDS_NAME = "page"  # in a keyword rule's `fields`: every page field at once (a named field overrides it)
ATTRIBUTE_FIELDS = frozenset({"attribute", "op", "value", "values", "scale"})
REGULARLY_FIELDS = frozenset({"min_events_per_week", "weeks", "min_weeks"})
RULE_KINDS = ("theme", "keywords", "attribute", "segment", "all", "any", "not")
REALTIME_WINDOW_DAYS = 1
# Theme conditions the stream cannot evaluate by adding members during the day.
NOT_REALTIME_THEME_CONDITIONS = ("min_share", "regularly")


@dataclass(frozen=True)
class Definition:
    id: str
    name: str
    description: str
    rule: Rule
    consent_required: bool
    membership_ttl_days: int
    realtime: bool = False
    source: str = dataclasses.field(default="<memory>", compare=False)

    @property
    def version(self) -> str:
        """Content hash of what the definition means (not of its file's bytes, nor of `realtime`)."""
        content = _without_defaults(dataclasses.asdict(dataclasses.replace(self, source="")))
        content.pop("realtime", None)
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:VERSION_CHARS]

    @property
    def segments_referred(self) -> tuple[str, ...]:
        return tuple(leaf.segment for leaf in leaves(self.rule) if isinstance(leaf, SegmentRef))


# Rule fields added later, left out of the version while they hold their default: a definition
# written before them means the same and keeps its version.
LATER_DEFAULTS = {"field_weights": ()}


def _without_defaults(content):
    if isinstance(content, dict):
        return {key: _without_defaults(value) for key, value in content.items()
                if not (key in LATER_DEFAULTS and value == LATER_DEFAULTS[key])}
    if isinstance(content, list):
        return [_without_defaults(item) for item in content]
    return content


class _Where:
    """A file and a field path, for error messages."""

    def __init__(self, source: str, path: str = ""):
        self.source, self.path = source, path

    def at(self, field: str) -> "_Where":
        return _Where(self.source, f"{self.path}.{field}" if self.path else field)

    def error(self, problem: str) -> ConfigError:
        return ConfigError(f"{self.source}: field `{self.path or '(top)'}`: {problem}")


def load_definitions(folder: Path, taxonomy: Taxonomy) -> list[Definition]:
    """Every `*.yaml` under `folder`, validated together (ids unique, references known, no cycle)."""
    if not Path(folder).is_dir():
        raise ConfigError(f"Segments folder {folder} does not exist (set DMP_SEGMENTS_DIR or create it).")
    definitions = [load_definition(path, taxonomy) for path in sorted(Path(folder).glob(f"*{DEFINITION_SUFFIX}"))]
    check_references(definitions)
    return in_dependency_order(definitions)


def load_definition(path: Path, taxonomy: Taxonomy) -> Definition:
    """Read and validate one definition file."""
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    definition = parse_definition(document, taxonomy, str(path))
    if definition.id != Path(path).name.removesuffix(DEFINITION_SUFFIX):
        raise _Where(str(path), "id").error(f"{definition.id!r} must be the file's name without {DEFINITION_SUFFIX}.")
    return definition


def parse_definition(document: object, taxonomy: Taxonomy, source: str = "<memory>") -> Definition:
    """Validate a parsed definition document."""
    where = _Where(source)
    mapping = _mapping(document, where, TOP_FIELDS)
    segment_id = _text(mapping, "id", where, required=True)
    if not ID_RE.match(segment_id):
        raise where.at("id").error(f"{segment_id!r}: lower-case letters, digits, '-' and '_' (up to 64), e.g. car-intenders.")
    consent = mapping.get("consent", "required")
    if consent not in CONSENT_VALUES:
        raise where.at("consent").error(f"{consent!r}; allowed: {', '.join(CONSENT_VALUES)}.")
    if "rule" not in mapping:
        raise where.at("rule").error(f"missing; give one rule of: {', '.join(RULE_KINDS)}.")
    realtime = mapping.get("realtime", False)
    if not isinstance(realtime, bool):
        raise where.at("realtime").error(f"{realtime!r}: expected true or false.")
    rule = _rule(mapping["rule"], where.at("rule"), taxonomy, "rule")
    if realtime:
        _check_realtime(rule, where.at("rule"))
    return Definition(
        id=segment_id,
        name=_text(mapping, "name", where, required=True),
        description=_text(mapping, "description", where),
        rule=rule,
        consent_required=consent == "required",
        membership_ttl_days=_number(mapping, "membership_ttl_days", where, int, DEFAULT_TTL_DAYS, minimum=1),
        realtime=realtime,
        source=source,
    )


def _check_realtime(rule: Rule, where: _Where) -> None:
    """A real-time segment has one keyword or theme rule over the current day, with conditions the
    day's further events can only make true (the stream adds members, never removes them)."""
    if not isinstance(rule, (KeywordRule, ThemeRule)):
        raise where.error("`realtime: true` needs a single `keywords` or `theme` rule over the current day "
                          f"(`window_days: {REALTIME_WINDOW_DAYS}`); combinations, attributes and segment "
                          "references are evaluated by the daily run only: remove `realtime` or simplify the rule.")
    if rule.window_days != REALTIME_WINDOW_DAYS:
        raise where.error(f"`realtime: true` evaluates the current day only: give `window_days: {REALTIME_WINDOW_DAYS}` "
                          f"(this rule looks back {rule.window_days} days; a longer window is the daily run's).")
    if isinstance(rule, ThemeRule):
        used = [name for name in NOT_REALTIME_THEME_CONDITIONS if getattr(rule, name) is not None]
        if used:
            raise where.error(f"{', '.join(used)} cannot be real-time (a share of the day's reading falls as other "
                              "pages are read, `regularly` spans weeks); use min_events or min_decayed_score, "
                              "or remove `realtime`.")
        if rule.min_active_days is not None and rule.min_active_days > REALTIME_WINDOW_DAYS:
            raise where.at("min_active_days").error(f"{rule.min_active_days} active days cannot happen in one day.")


def _rule(node: object, where: _Where, taxonomy: Taxonomy, label: str) -> Rule:
    if not isinstance(node, dict):
        raise where.error(f"expected a mapping with one of: {', '.join(RULE_KINDS)}.")
    kinds = [kind for kind in RULE_KINDS if kind in node]
    if len(kinds) != 1:
        raise where.error(f"give exactly one of {', '.join(RULE_KINDS)} (found {kinds or 'none'}).")
    kind = kinds[0]
    if kind in ("all", "any"):
        _mapping(node, where, {kind})
        children = node[kind]
        if not isinstance(children, list) or not children:
            raise where.at(kind).error("expected a non-empty list of rules.")
        rules = tuple(_rule(child, where.at(f"{kind}[{index}]"), taxonomy, f"{label}.{kind}[{index}]")
                      for index, child in enumerate(children))
        return (AllOf if kind == "all" else AnyOf)(label, rules)
    if kind == "not":
        _mapping(node, where, {"not"})
        return Not(label, _rule(node["not"], where.at("not"), taxonomy, f"{label}.not"))
    if kind == "segment":
        _mapping(node, where, {"segment"})
        return SegmentRef(f"{label}.segment:{node['segment']}", _text(node, "segment", where, required=True))
    if kind == "theme":
        return _theme_rule(node, where, taxonomy, label)
    if kind == "keywords":
        return _keyword_rule(node, where, label)
    return _attribute_rule(node, where, label)


def _window(node: dict, where: _Where) -> int:
    if "term" in node and "window_days" in node:
        raise where.error("give `term` or `window_days`, not both.")
    if "window_days" in node:
        return _number(node, "window_days", where, int, None, minimum=1)
    term = node.get("term", DEFAULT_TERM)
    if term not in TERM_DAYS:
        raise where.at("term").error(f"{term!r}; allowed: {', '.join(f'{k} ({v} days)' for k, v in TERM_DAYS.items())}.")
    return TERM_DAYS[term]


def _theme_rule(node: dict, where: _Where, taxonomy: Taxonomy, label: str) -> ThemeRule:
    _mapping(node, where, THEME_FIELDS)
    theme = _text(node, "theme", where, required=True)
    if theme not in taxonomy.names:
        raise where.at("theme").error(f"{theme!r} is not a theme of {taxonomy.source}; allowed: {', '.join(taxonomy.names)}.")
    if not any(condition in node for condition in THEME_CONDITIONS):
        raise where.error(f"a theme rule needs at least one of {', '.join(THEME_CONDITIONS)}.")
    regularly = None
    if "regularly" in node:
        inner = where.at("regularly")
        spec = _mapping(node["regularly"], inner, REGULARLY_FIELDS)
        regularly = Regularly(*(_number(spec, name, inner, int, None, minimum=1)
                                for name in ("min_events_per_week", "weeks", "min_weeks")))
        if regularly.min_weeks > regularly.weeks:
            raise inner.at("min_weeks").error(f"{regularly.min_weeks} is more than `weeks` ({regularly.weeks}).")
    share = _number(node, "min_share", where, float, None, minimum=0)
    if share is not None and share > 1:
        raise where.at("min_share").error(f"{share}: a share from 0 to 1, e.g. 0.2 for 20% of the activity.")
    return ThemeRule(
        label=f"{label}.theme:{theme}", theme=theme, themes=descendants(taxonomy, theme), window_days=_window(node, where),
        min_active_days=_number(node, "min_active_days", where, int, None, minimum=1),
        min_events=_number(node, "min_events", where, int, None, minimum=1), min_share=share,
        min_decayed_score=_number(node, "min_decayed_score", where, float, None, minimum=0), regularly=regularly)


def _keyword_rule(node: dict, where: _Where, label: str) -> KeywordRule:
    from dmp.audience.estimate import parse_keywords
    from dmp.errors import InputError

    _mapping(node, where, KEYWORD_FIELDS)
    raw = node["keywords"]
    if not isinstance(raw, list) or not raw or not all(isinstance(item, str) for item in raw):
        raise where.at("keywords").error("expected a non-empty list of keywords or two-word phrases.")
    try:
        keywords = parse_keywords(",".join(raw))
    except InputError as error:
        raise where.at("keywords").error(str(error)) from None
    match = node.get("match", "any")
    if match not in ("any", "all"):
        raise where.at("match").error(f"{match!r}; allowed: any, all.")
    weights_spec = node.get("weights", {}) or {}
    if not isinstance(weights_spec, dict):
        raise where.at("weights").error("expected a mapping keyword -> weight, e.g. {ford focus: 2}.")
    normalised = {" ".join(parse_keywords(str(key))): value for key, value in weights_spec.items()}
    unknown = sorted(set(normalised) - set(keywords))
    if unknown:
        raise where.at("weights").error(f"{unknown} not in `keywords`.")
    weights = tuple(float(_number(normalised, keyword, where.at("weights"), float, 1.0, minimum=0)) for keyword in keywords)
    return KeywordRule(f"{label}.keywords", keywords, weights, match, _window(node, where),
                       _number(node, "min_weight", where, float, 0.0, minimum=0), _field_weights(node, where))


def _field_weights(node: dict, where: _Where) -> tuple[tuple[str, float], ...]:
    """`fields: {title: 2, url: 1, search: 3}` as (field, weight) pairs in field order; `page` sets
    every page field (a field named beside it overrides it); none given: every field weighs 1."""
    from dmp.tagging.keywords import FIELDS, PAGE_FIELDS

    if "fields" not in node:
        return ()
    spec, inner = node["fields"], where.at("fields")
    allowed = f"{PAGE_FIELDS_NAME} (every page field), {', '.join(FIELDS)}"
    if not isinstance(spec, dict) or not spec:
        raise inner.error(f"expected a mapping field -> weight, e.g. {{title: 2, url: 1, search: 3}}; fields: {allowed}.")
    unknown = sorted(str(name) for name in spec if name not in FIELDS and name != PAGE_FIELDS_NAME)
    if unknown:
        raise inner.error(f"unknown field(s) {unknown}; allowed: {allowed}.")
    weights = {name: float(_number(spec, name, inner, float, None, minimum=0)) for name in spec}
    page = weights.pop(PAGE_FIELDS_NAME, None)
    if page is not None:
        weights = {**{name: page for name in PAGE_FIELDS}, **weights}
    if not any(weight > 0 for weight in weights.values()):
        raise inner.error("every weight is 0: no keyword could ever count; give at least one field a weight above 0.")
    return tuple((name, weights[name]) for name in FIELDS if weights.get(name, 0) > 0)


def _attribute_rule(node: dict, where: _Where, label: str) -> AttributeRule:
    _mapping(node, where, ATTRIBUTE_FIELDS)
    attribute = _text(node, "attribute", where, required=True)
    operator = node.get("op", "=")
    if operator not in OPERATORS:
        raise where.at("op").error(f"{operator!r}; allowed: {', '.join(OPERATORS)}.")
    if ("value" in node) == ("values" in node):
        raise where.error("give `value` (one) or `values` (a list), not both or neither.")
    values = node["values"] if "values" in node else [node["value"]]
    if not isinstance(values, list) or not values:
        raise where.at("values").error("expected a non-empty list.")
    values = tuple(str(value) for value in values)
    if operator not in SET_OPERATORS and len(values) != 1:
        raise where.at("values").error(f"`{operator}` compares with one value; use `in` for several.")
    scale = tuple(str(item) for item in node.get("scale", ATTRIBUTE_SCALES.get(attribute, ())))
    if operator in ORDER_OPERATORS:
        if not scale:
            raise where.at("scale").error(f"`{operator}` needs an ordered scale for {attribute!r}: give `scale: [low, ..., high]`.")
        if values[0] not in scale:
            raise where.at("value").error(f"{values[0]!r} is not on the scale of {attribute!r}: {', '.join(scale)}.")
    return AttributeRule(f"{label}.attribute:{attribute}{operator.replace(' ', '_')}", attribute, operator, values, scale)


def descendants(taxonomy: Taxonomy, theme: str) -> tuple[str, ...]:
    """`theme` and every theme below it (a parent theme covers its children)."""
    found, frontier = [theme], [theme]
    while frontier:
        children = [child.name for child in taxonomy.themes if child.parent in frontier and child.name not in found]
        found.extend(children)
        frontier = children
    return tuple(found)


def check_references(definitions: list[Definition]) -> None:
    """Ids are unique and every `segment:` reference names a definition."""
    by_id: dict[str, Definition] = {}
    for definition in definitions:
        if definition.id in by_id:
            raise ConfigError(f"{definition.source}: id {definition.id!r} is also used by {by_id[definition.id].source}.")
        by_id[definition.id] = definition
    for definition in definitions:
        for other in definition.segments_referred:
            if other not in by_id:
                raise ConfigError(f"{definition.source}: field `rule`: segment {other!r} is not defined; "
                                  f"known: {', '.join(sorted(by_id))}.")


def in_dependency_order(definitions: list[Definition]) -> list[Definition]:
    """Definitions ordered so a segment comes after those it refers to; a cycle is an error."""
    by_id = {definition.id: definition for definition in definitions}
    ordered: list[Definition] = []
    visiting: list[str] = []

    def visit(segment_id: str) -> None:
        if any(done.id == segment_id for done in ordered):
            return
        if segment_id in visiting:
            cycle = " -> ".join(visiting[visiting.index(segment_id):] + [segment_id])
            raise ConfigError(f"{by_id[segment_id].source}: segments refer to each other in a cycle: {cycle}.")
        visiting.append(segment_id)
        for other in by_id[segment_id].segments_referred:
            visit(other)
        visiting.pop()
        ordered.append(by_id[segment_id])

    for definition in definitions:
        visit(definition.id)
    return ordered


def _mapping(node: object, where: _Where, allowed: frozenset | set) -> dict:
    if not isinstance(node, dict):
        raise where.error(f"expected a mapping with fields {', '.join(sorted(allowed))}.")
    unknown = sorted(set(node) - set(allowed))
    if unknown:
        raise where.error(f"unknown field(s) {unknown}; allowed: {', '.join(sorted(allowed))}.")
    return node


def _text(node: dict, name: str, where: _Where, required: bool = False) -> str:
    value = node.get(name)
    if value is None:
        if required:
            raise where.at(name).error("missing.")
        return ""
    if not isinstance(value, str) or not value.strip():
        raise where.at(name).error(f"{value!r}: expected a non-empty text.")
    return value.strip()


def _number(node: dict, name: str, where: _Where, kind: type, default, minimum: float):
    value = node.get(name, default)
    if value is None:
        return None
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and (kind is float or float(value).is_integer())
    if not ok or value < minimum:
        what = "a whole number" if kind is int else "a number"
        raise where.at(name).error(f"{value!r}: expected {what} of at least {minimum}.")
    return kind(value)
