"""An audience expression as a marketer types it: terms, how they combine, the window, the fields.

A term is a keyword or a two-word phrase (normalised like page keywords: 'Ford Focus' -> 'ford
focus'), or a theme written `theme:NAME`; a leading `-` excludes it (NOT). The positive terms
combine by `mode`: `any` (OR, the union) or `all` (AND, the intersection); the excluded ones are
taken away from that. `field` says which keywords count: words of the pages read (`page`), of the
searches made (`search`), or `both`. Everything a user sends is checked here, with a message that
says what to change: how many terms and how long, which characters, which window. The parsed
values only ever reach Cassandra as bound parameters of prepared statements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dmp.errors import InputError
from dmp.tagging.text import words

MAX_TERMS = 30
MAX_TERM_CHARS = 64
MAX_PHRASE_WORDS = 2
MIN_WINDOW_DAYS = 1
MAX_WINDOW_DAYS = 90
WINDOWS = (7, 30, 90)  # the page's choices; any whole number of days in bounds is accepted
MODES = ("any", "all")
FIELDS = ("page", "search", "both")
DEFAULT_FIELD = "both"
THEME_PREFIX = "theme:"
NOT_PREFIX = "-"
# Letters of any script, digits, spaces and the few marks keywords and theme names use.
_ALLOWED_RE = re.compile(r"^[\w \-'&.:]+$", re.UNICODE)
_THEME_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")


@dataclass(frozen=True)
class Term:
    """One keyword, phrase or theme; `negated` when it excludes."""

    key: str
    is_theme: bool = False
    negated: bool = False

    @property
    def text(self) -> str:
        """The term as a user writes it back (`-theme:sports`)."""
        return f"{NOT_PREFIX if self.negated else ''}{THEME_PREFIX if self.is_theme else ''}{self.key}"


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...]
    mode: str
    window_days: int
    field: str = DEFAULT_FIELD

    @property
    def positives(self) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if not term.negated)

    @property
    def negatives(self) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if term.negated)


def parse_term(raw: str) -> Term:
    """'-Ford Focus' -> Term('ford focus', negated=True); 'theme:automobile' -> a theme term."""
    text = raw.strip()
    if not text:
        raise InputError("an empty term: type a keyword, a two-word phrase or theme:NAME, or remove the entry.")
    if len(text) > MAX_TERM_CHARS:
        raise InputError(f"{text[:20]!r}...: a term is at most {MAX_TERM_CHARS} characters.")
    if not _ALLOWED_RE.match(text) or "\x00" in text:
        raise InputError(f"{text!r}: a term has letters, digits, spaces and - ' & . only.")
    negated = text.startswith(NOT_PREFIX)
    text = text.removeprefix(NOT_PREFIX).strip()
    if text.lower().startswith(THEME_PREFIX):
        theme = text[len(THEME_PREFIX):].strip().lower()
        if not _THEME_RE.match(theme):
            raise InputError(f"{raw.strip()!r}: write a theme as theme:NAME, e.g. theme:automobile.")
        return Term(theme, is_theme=True, negated=negated)
    normalised = words(text)
    if not normalised:
        raise InputError(f"{raw.strip()!r} has no word a page could carry (stop words and single letters are left out).")
    if len(normalised) > MAX_PHRASE_WORDS:
        raise InputError(f"{raw.strip()!r}: a term is one word or a two-word phrase; make it several terms.")
    return Term(" ".join(normalised), negated=negated)


def parse_query(raw_terms: list[str], mode: str = "any", window_days: int = 30, field: str = DEFAULT_FIELD) -> Query:
    """A validated query; an `InputError` saying what to change otherwise."""
    if not raw_terms:
        raise InputError("no term: give at least one keyword, phrase or theme:NAME.")
    if len(raw_terms) > MAX_TERMS:
        raise InputError(f"{len(raw_terms)} terms: at most {MAX_TERMS}; combine fewer or use a theme.")
    if mode not in MODES:
        raise InputError(f"mode {mode!r}: one of {', '.join(MODES)} (any = OR, all = AND).")
    if field not in FIELDS:
        raise InputError(f"field {field!r}: one of {', '.join(FIELDS)}.")
    if not MIN_WINDOW_DAYS <= window_days <= MAX_WINDOW_DAYS:
        raise InputError(f"window {window_days} days: from {MIN_WINDOW_DAYS} to {MAX_WINDOW_DAYS} days.")
    terms = tuple(dict.fromkeys(parse_term(raw) for raw in raw_terms))
    if not any(not term.negated for term in terms):
        raise InputError("only excluded terms: give at least one term to include (without the leading -).")
    return Query(terms, mode, window_days, field)
