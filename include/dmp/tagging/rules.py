"""Manual rules: host and path patterns that decide a page's theme before the model is asked.

The rules file (YAML) lists rules in order; the first that matches wins:

    rules:
      - host: "*.geny.com"          # shell-style pattern on the host name (lower case)
        path: "/arrivee/*"          # optional pattern on the path
        theme: horse-riding         # a theme of the taxonomy, or `ignore` (never tagged)

A page decided by a rule says so (`source = rule:<index>`), so a user can tell rules from model.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from dmp.errors import ConfigError
from dmp.tagging.taxonomy import IGNORE, Taxonomy


@dataclass(frozen=True)
class Rule:
    index: int
    host: re.Pattern
    path: re.Pattern | None
    theme: str

    def matches(self, host: str, path: str) -> bool:
        return bool(self.host.fullmatch(host)) and (self.path is None or bool(self.path.fullmatch(path)))


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...] = ()

    @property
    def digest(self) -> str:
        """A short fingerprint of the rules, so an edited rules file re-tags the pages it changes."""
        if not self.rules:
            return ""
        text = json.dumps([(r.host.pattern, r.path.pattern if r.path else None, r.theme) for r in self.rules])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def decide(self, url: str) -> Rule | None:
        """The first rule matching `url`, or None."""
        if not self.rules or not isinstance(url, str):
            return None
        try:
            parts = urlsplit(url.strip() if "://" in url[:12] else f"http://{url.strip()}")
            host, path = (parts.hostname or ""), (parts.path or "/")
        except ValueError:
            return None
        return next((rule for rule in self.rules if rule.matches(host, path)), None)


def load_rules(path: Path | None, taxonomy: Taxonomy) -> Rules:
    """Read the rules file; a missing file means no rules only when no path was configured."""
    if path is None:
        return Rules()
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"Rules file {path} does not exist (set DMP_RULES, or remove it to use no rules).") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ConfigError(f"Rules file {path} is not valid YAML: {error}") from None
    return parse_rules(document, taxonomy, str(path))


def parse_rules(document: object, taxonomy: Taxonomy, source: str = "<memory>") -> Rules:
    entries = document.get("rules", []) if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ConfigError(f"{source}: expected `rules:` with a list of {{host, path, theme}} entries.")
    allowed = set(taxonomy.names) | {IGNORE}
    rules = []
    for index, entry in enumerate(entries):
        where = f"{source}: rule {index + 1}"
        if not isinstance(entry, dict) or not isinstance(entry.get("host"), str) or "theme" not in entry:
            raise ConfigError(f"{where}: needs `host` (a pattern such as '*.example.com') and `theme`.")
        theme = str(entry["theme"])
        if theme not in allowed:
            raise ConfigError(f"{where}: theme {theme!r} is not in the taxonomy (or `ignore`): {sorted(allowed)}.")
        path = entry.get("path")
        rules.append(Rule(
            index + 1,
            _host_pattern(entry["host"].lower()),
            None if path is None else re.compile(fnmatch.translate(str(path))),
            theme,
        ))
    return Rules(tuple(rules))


def _host_pattern(pattern: str) -> re.Pattern:
    """A host pattern; `*.example.com` also matches `example.com` itself, as people mean it."""
    alternatives = [fnmatch.translate(pattern)]
    if pattern.startswith("*."):
        alternatives.append(fnmatch.translate(pattern[2:]))
    return re.compile("|".join(f"(?:{alternative})" for alternative in alternatives))
