"""Search queries of visits: the terms in a search engine's referrer, or in a partner's site-search URL.

"Users who visited pages with the given keywords or searched for these words": when a visit comes
from a search engine whose referrer still carries the query, or is a page of the partner's own
site search, the query is the clearest statement of intent there is. Most engines now send only
their origin (an encrypted search: no query); the few that keep it are read with the table below,
which a deployment extends or overrides with a YAML file (`DMP_SEARCH_ENGINES_FILE`):

    engines:
      - {name: ecosia, hosts: 'ecosia\\.org', params: [q]}
    site_search:
      paths: [suche, buscar]
      params: [q, query]

`hosts` is a regular expression matched against the whole host name without a leading `www.`.
Queries are percent-decoded (`+` is a space) as UTF-8; one that is not valid UTF-8, longer than
MAX_QUERY_CHARS or of no content word is dropped with its reason, never failing the event.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote_plus, urlsplit

import yaml

from dmp.errors import ConfigError
from dmp.tagging.text import words

# A query longer than this is no one's typing (a bot, a pasted text): dropped with a reason.
MAX_QUERY_CHARS = 512
# Referrers and URLs are cut here before parsing: their query sits in the first kilobytes.
MAX_SEARCH_URL_CHARS = 8192

ENCRYPTED = "encrypted"  # an engine's referrer without its query (https-only engines send their origin)
TOO_LONG = "too_long"
INVALID_ENCODING = "invalid_encoding"
NO_WORDS = "no_words"
UNPARSABLE = "unparsable"
DROP_REASONS = (ENCRYPTED, TOO_LONG, INVALID_ENCODING, NO_WORDS, UNPARSABLE)


@dataclass(frozen=True)
class Engine:
    """A search engine: its hosts (a regular expression on the host without `www.`) and query parameters."""

    name: str
    hosts: str
    params: tuple[str, ...]

    def matches(self, host: str) -> bool:
        return re.fullmatch(self.hosts, host) is not None


# The engines whose referrers may still carry the query (host pattern, query parameters).
DEFAULT_ENGINES = (
    Engine("google", r"google(\.com?)?\.[a-z]{2,3}", ("q",)),  # google.com, google.fr, google.co.uk
    Engine("bing", r"(cn\.)?bing\.com", ("q",)),
    Engine("yahoo", r"([a-z]{2}\.)?search\.yahoo(\.com?)?\.[a-z]{2,3}", ("p",)),
    Engine("duckduckgo", r"(html\.|lite\.)?duckduckgo\.com", ("q",)),
    Engine("qwant", r"(lite\.)?qwant\.com", ("q",)),
    Engine("yandex", r"yandex(\.com)?\.[a-z]{2,3}|ya\.ru", ("text",)),
    Engine("mailru", r"go\.mail\.ru", ("q",)),
    Engine("baidu", r"(m\.)?baidu\.com", ("wd", "word")),
)
# A partner's own site search: the last path segment names the search page, a parameter the query.
DEFAULT_SITE_SEARCH_PATHS = ("search", "recherche", "suche", "buscar", "busca", "ricerca", "poisk", "поиск")
DEFAULT_SITE_SEARCH_PARAMS = ("q", "query", "text", "search", "s")


@dataclass(frozen=True)
class SearchTable:
    """The engines and the site-search pages a deployment recognises."""

    engines: tuple[Engine, ...] = DEFAULT_ENGINES
    site_paths: tuple[str, ...] = DEFAULT_SITE_SEARCH_PATHS
    site_params: tuple[str, ...] = DEFAULT_SITE_SEARCH_PARAMS
    source: str = field(default="built-in", compare=False)

    def engine_of(self, host: str) -> Engine | None:
        bare = host.removeprefix("www.")
        return next((engine for engine in self.engines if engine.matches(bare)), None)

    def referrer_pattern(self) -> str:
        """A regular expression (Java and Python alike) a referrer of any engine matches: a cheap
        first filter in Spark, before the exact parse."""
        hosts = "|".join(f"(?:{engine.hosts})" for engine in self.engines)
        return rf"(?i)^https?://(?:www\.)?(?:{hosts})(?::\d+)?(?:[/?#]|$)"

    def site_search_pattern(self) -> str:
        """Likewise for page URLs of a site search (a search path segment and a query parameter)."""
        paths = "|".join(re.escape(path) for path in self.site_paths)
        params = "|".join(re.escape(param) for param in self.site_params)
        return rf"(?i)/(?:{paths})/?\?(?:.*&)?(?:{params})="


@dataclass(frozen=True)
class SearchQuery:
    """What a URL says of a search: the engine (or `site`), the decoded query, or why it was dropped."""

    engine: str
    query: str | None
    reason: str | None = None


SITE_SEARCH = "site"


def load_search_table(path: Path | None) -> SearchTable:
    """The built-in table, extended (an engine of the same name replaced) by the YAML file at `path`."""
    if path is None:
        return SearchTable()
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as error:
        raise ConfigError(f"Search engines file {path} cannot be read: {error}") from None
    if not isinstance(document, dict) or set(document) - {"engines", "site_search"}:
        raise ConfigError(f"Search engines file {path}: expected `engines:` and/or `site_search:` at the top.")
    engines = {engine.name: engine for engine in DEFAULT_ENGINES}
    for index, entry in enumerate(document.get("engines") or []):
        engine = _engine(entry, f"{path}: engines[{index}]")
        engines[engine.name] = engine
    site = document.get("site_search") or {}
    if not isinstance(site, dict):
        raise ConfigError(f"{path}: site_search: expected `paths:` and `params:` lists.")
    return SearchTable(tuple(engines.values()),
                       tuple(_names(site.get("paths"), f"{path}: site_search.paths")) or DEFAULT_SITE_SEARCH_PATHS,
                       tuple(_names(site.get("params"), f"{path}: site_search.params")) or DEFAULT_SITE_SEARCH_PARAMS,
                       str(path))


def _engine(entry: object, where: str) -> Engine:
    if not isinstance(entry, dict) or {"name", "hosts", "params"} - set(entry):
        raise ConfigError(f"{where}: expected {{name: ..., hosts: <regular expression>, params: [q, ...]}}.")
    try:
        re.compile(str(entry["hosts"]))
    except re.error as error:
        raise ConfigError(f"{where}: hosts {entry['hosts']!r} is not a regular expression: {error}.") from None
    params = _names(entry["params"], f"{where}.params")
    if not params:
        raise ConfigError(f"{where}.params: give at least one query parameter, e.g. [q].")
    return Engine(str(entry["name"]), str(entry["hosts"]), tuple(params))


def _names(value: object, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ConfigError(f"{where}: expected a list of names.")
    return list(value)


def _decoded(raw: str) -> tuple[str | None, str | None]:
    """(query, None) or (None, reason) for a raw (still percent-encoded) query value."""
    if len(raw) > MAX_QUERY_CHARS * 3:  # %XX triples: even all-encoded, a long raw value is a long query
        return None, TOO_LONG
    try:
        query = unquote_plus(raw, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return None, INVALID_ENCODING
    query = " ".join(query.split())
    if len(query) > MAX_QUERY_CHARS:
        return None, TOO_LONG
    if not words(query):
        return None, NO_WORDS if query else ENCRYPTED
    return query, None


def _raw_values(query_string: str, params: Iterable[str]) -> list[str]:
    """Values of `params`, still percent-encoded (parse_qsl would decode them leniently)."""
    wanted = {param.lower() for param in params}
    found = []
    for pair in query_string.split("&"):
        key, _, value = pair.partition("=")
        if key.lower() in wanted:
            found.append(value)
    return found


def _parts(url: object):
    if not isinstance(url, str) or not url.strip():
        return None
    try:
        return urlsplit(url.strip()[:MAX_SEARCH_URL_CHARS])
    except ValueError:
        return None


def referrer_query(referrer: object, table: SearchTable = SearchTable()) -> SearchQuery | None:
    """The search a referrer says the visit came from; None when it is no engine's referrer."""
    parts = _parts(referrer)
    if parts is None:
        return None
    try:
        host = (parts.hostname or "").lower()
    except ValueError:
        return SearchQuery("unknown", None, UNPARSABLE)
    engine = table.engine_of(host) if host else None
    if engine is None:
        return None
    # Google, Yahoo and others may put the query in the fragment (#q=...) of a results page.
    values = _raw_values(parts.query, engine.params) or _raw_values(parts.fragment, engine.params)
    values = [value for value in values if value.strip("+ ")]
    if not values:
        return SearchQuery(engine.name, None, ENCRYPTED)
    query, reason = _decoded(values[0])
    return SearchQuery(engine.name, query, reason)


def site_search_query(url: object, table: SearchTable = SearchTable()) -> SearchQuery | None:
    """The query of a partner's site-search page (`/search?q=`, `/recherche?q=`); None for other pages."""
    parts = _parts(url)
    if parts is None or not parts.query:
        return None
    segments = [segment for segment in unquote_plus(parts.path, errors="replace").lower().split("/") if segment]
    if not segments or segments[-1] not in table.site_paths:
        return None
    values = [value for value in _raw_values(parts.query, table.site_params) if value.strip("+ ")]
    if not values:
        return None
    query, reason = _decoded(values[0])
    return SearchQuery(SITE_SEARCH, query, reason)
