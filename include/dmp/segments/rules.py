"""The rules a segment definition combines, as plain values (parsed by `dmp.segments.definitions`).

Each rule has a `label` naming where it sits in its definition (`all[1].theme:automobile`), which is
what a membership keeps as "the rule that matched". Rules are frozen dataclasses so a definition's
content hash (its version) is computed from what it means, not from how its YAML is laid out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

TERM_DAYS = {"short": 7, "mid": 30, "long": 90}
DEFAULT_TERM = "mid"
DAYS_PER_WEEK = 7
# Ordered scales for `>=`-style comparisons of CRM attributes; a rule may bring its own `scale`.
ATTRIBUTE_SCALES = {
    "loyalty_tier": ("none", "bronze", "silver", "gold", "platinum"),
    "age_band": ("18-24", "25-34", "35-44", "45-54", "55-64", "65+"),
}
EQUALITY_OPERATORS = ("=", "!=")
SET_OPERATORS = ("in", "not in")
ORDER_OPERATORS = (">=", ">", "<=", "<")
OPERATORS = EQUALITY_OPERATORS + SET_OPERATORS + ORDER_OPERATORS


@dataclass(frozen=True)
class Regularly:
    """At least `min_events_per_week` events in at least `min_weeks` of the last `weeks` weeks."""

    min_events_per_week: int
    weeks: int
    min_weeks: int


@dataclass(frozen=True)
class ThemeRule:
    """Sustained interest in a theme (and its child themes) over the last `window_days` days."""

    label: str
    theme: str
    themes: tuple[str, ...]  # the theme and its descendants in the taxonomy
    window_days: int
    min_active_days: int | None = None
    min_events: int | None = None
    min_share: float | None = None
    min_decayed_score: float | None = None
    regularly: Regularly | None = None


@dataclass(frozen=True)
class KeywordRule:
    """Met any (or all) of the keywords within the window, on visited pages or in searches; weights add up.

    A keyword counts once per subject, at its weight times the weight of the heaviest field the
    subject met it in (`field_weights`: field -> weight, fields not listed weigh 0); no field
    weights (the default) means every field weighs 1, as before fields were weighed.
    """

    label: str
    keywords: tuple[str, ...]
    weights: tuple[float, ...]
    match: str  # "any" or "all"
    window_days: int
    min_weight: float
    field_weights: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class AttributeRule:
    """A comparison of one CRM attribute of the subject (`country = FR`, `loyalty_tier >= silver`)."""

    label: str
    attribute: str
    operator: str
    values: tuple[str, ...]
    scale: tuple[str, ...] = ()


@dataclass(frozen=True)
class SegmentRef:
    """Member of another segment in the same run (for exclusions: `not: {segment: other}`)."""

    label: str
    segment: str


@dataclass(frozen=True)
class AllOf:
    label: str
    rules: tuple["Rule", ...]


@dataclass(frozen=True)
class AnyOf:
    label: str
    rules: tuple["Rule", ...]


@dataclass(frozen=True)
class Not:
    label: str
    rule: "Rule"


Rule = Union[ThemeRule, KeywordRule, AttributeRule, SegmentRef, AllOf, AnyOf, Not]


def leaves(rule: Rule):
    """Every leaf rule under `rule`, depth first."""
    if isinstance(rule, (AllOf, AnyOf)):
        for child in rule.rules:
            yield from leaves(child)
    elif isinstance(rule, Not):
        yield from leaves(rule.rule)
    else:
        yield rule


def window_days(rule: Rule) -> int:
    """The longest window any leaf of `rule` looks back over (0 for attribute-only rules)."""
    days = [leaf.window_days for leaf in leaves(rule) if isinstance(leaf, (ThemeRule, KeywordRule))]
    days += [leaf.regularly.weeks * DAYS_PER_WEEK for leaf in leaves(rule)
             if isinstance(leaf, ThemeRule) and leaf.regularly]
    return max(days, default=0)
