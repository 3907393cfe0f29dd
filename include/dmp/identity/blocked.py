"""Blocked identity values: placeholders that would glue strangers into one person.

Forms and partners fill fields with `null`, `anonymous`, `test@test.com` or zeros when they have
nothing; an edge through such a value would merge everyone who typed it. A value is blocked when
it is in the configured list (`DMP_IDENTITY_BLOCKED_VALUES`) or matches one of the configured
patterns (`DMP_IDENTITY_BLOCKED_PATTERNS`, regular expressions that Python and Java read alike).
Blocked values never make an edge; they are counted in the day's figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dmp.errors import ConfigError
from dmp.identity.emails import WHITESPACE, ProviderRule, hash_normalized, normalize_email

DEFAULT_BLOCKED_VALUES = (
    "null,none,nil,undefined,anonymous,unknown,n/a,na,-,0,"
    "test@test.com,test@example.com,example@example.com,noemail@noemail.com,no@email.com"
)
# All zeros (with dashes, as in a zero UUID), and emails with an all-zero or placeholder local part.
DEFAULT_BLOCKED_PATTERNS = r"^[0-]*$;^(0+|x+|null|none|noreply|no-reply|test)@.*$"


@dataclass(frozen=True)
class BlockList:
    """Values (compared after trimming and lower-casing) and full-match patterns never used as ids."""

    values: frozenset[str]
    patterns: tuple[str, ...]

    def is_blocked(self, value: str | None) -> bool:
        """True for null, empty, a listed value or a value matching a pattern."""
        if value is None:
            return True
        text = value.strip(WHITESPACE).lower()
        return not text or text in self.values or any(re.search(p, text) for p in self.patterns)


def parse_block_list(values_text: str, patterns_text: str) -> BlockList:
    """The block list from its two settings (values comma separated, patterns `;` separated)."""
    patterns = tuple(p.strip() for p in patterns_text.split(";") if p.strip())
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ConfigError(f"DMP_IDENTITY_BLOCKED_PATTERNS: {pattern!r} is not a regular expression ({error}).") \
                from None
    values = frozenset(v.strip().lower() for v in values_text.split(",") if v.strip())
    return BlockList(values, patterns)


def usable_email_hash(email: str | None, rules: tuple[ProviderRule, ...], block_list: BlockList) -> str | None:
    """The hash an email joins ids by: None when it is not an email or its normal form is blocked."""
    normalized = normalize_email(email, rules)
    return None if block_list.is_blocked(normalized) else hash_normalized(normalized)
