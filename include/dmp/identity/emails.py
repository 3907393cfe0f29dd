"""Email normalisation and hashing: the same rules in plain Python and as a Spark column.

People type one address many ways (` Jane.Doe@GMail.com`, `janedoe+news@gmail.com`), so before
an email can join two ids it is trimmed, lower-cased and rewritten by its provider's rules
(Gmail ignores dots and everything after a `+` in the local part; googlemail.com is gmail.com).
Only the SHA-256 of the normalised address goes further: no raw email is stored, staged, logged
or quarantined. The rules are configurable (`DMP_EMAIL_RULES`); the Python and the Spark forms
read the same parsed rules, and a test holds them to the same hashes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from dmp.errors import ConfigError

DEFAULT_EMAIL_RULES = "gmail.com:dots,plus;googlemail.com:dots,plus,as=gmail.com;outlook.com:plus;hotmail.com:plus"
RULE_DOTS = "dots"
RULE_PLUS = "plus"
ALIAS_PREFIX = "as="
WHITESPACE = " \t\n\r\x0b\x0c"  # what Spark's regex `\s` trims too, so both forms agree
# Something shaped like an email anywhere in a text (used to redact and to scan for leaks). A match
# starts only where a run of local-part characters starts, and the run is taken whole (possessive,
# as Java and Python 3.11 both read it): the same matches as without, in linear time. Without them a
# search retried every position of a long run, quadratic: a quarantined line with a 1M-character
# URL kept the identity stage's scan busy for hours.
EMAIL_PATTERN = r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]++@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"


@dataclass(frozen=True)
class ProviderRule:
    """How one mail domain reads its local parts: dots ignored, `+tag` ignored, another name."""

    domain: str
    ignore_dots: bool = False
    ignore_plus_tag: bool = False
    canonical_domain: str | None = None


def parse_email_rules(text: str) -> tuple[ProviderRule, ...]:
    """`domain:rule,rule;...` with rules `dots`, `plus`, `as=other.domain` -> provider rules."""
    rules = []
    for item in filter(None, (part.strip() for part in text.split(";"))):
        domain, separator, spec = item.partition(":")
        words = [word.strip().lower() for word in spec.split(",") if word.strip()]
        unknown = [w for w in words if w not in (RULE_DOTS, RULE_PLUS) and not w.startswith(ALIAS_PREFIX)]
        if not separator or not domain.strip() or not words or unknown:
            raise ConfigError(
                f"DMP_EMAIL_RULES item {item!r} is not understood: write domain:rule,rule; ... with rules "
                f"'{RULE_DOTS}', '{RULE_PLUS}' or '{ALIAS_PREFIX}other.domain' (e.g. {DEFAULT_EMAIL_RULES})."
            )
        aliases = [w[len(ALIAS_PREFIX):] for w in words if w.startswith(ALIAS_PREFIX)]
        rules.append(ProviderRule(domain.strip().lower(), RULE_DOTS in words, RULE_PLUS in words,
                                  aliases[0] if aliases else None))
    return tuple(rules)


def normalize_email(email: str | None, rules: tuple[ProviderRule, ...]) -> str | None:
    """The canonical form of `email`, or None when it has no `local@domain` shape."""
    if email is None:
        return None
    text = email.strip(WHITESPACE).lower()
    local, separator, domain = text.rpartition("@")
    if not separator or not local or not domain:
        return None
    for rule in rules:
        if rule.domain == domain:
            if rule.ignore_plus_tag:
                local = local.split("+", 1)[0]
            if rule.ignore_dots:
                local = local.replace(".", "")
            domain = rule.canonical_domain or domain
            break
    return f"{local}@{domain}" if local else None


def hash_normalized(normalized: str) -> str:
    """SHA-256 (hex) of an already normalised email: the only form of an email the platform keeps."""
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def email_hash(email: str | None, rules: tuple[ProviderRule, ...]) -> str | None:
    """Normalise then hash `email`; None when it is not an email."""
    normalized = normalize_email(email, rules)
    return None if normalized is None else hash_normalized(normalized)
