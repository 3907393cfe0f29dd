"""From URLs and page text to the normalised words the model, the tagger and keywords share.

One normalisation everywhere (training corpus, URLs, titles, keywords): Unicode NFKC, lower case,
accents removed, words split on anything that is not a letter, camelCase and letter/digit runs
split, stop words and URL boilerplate dropped. A URL gives the words of its host (without `www`
and the TLD), its path segments and slugs, and the search terms of its query string; ids and
hashes are recognised and skipped. Nothing here raises on bad input: a URL that cannot give words
comes back with a reason instead.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from dmp.tagging.stopwords import BOILERPLATE, STOP_WORDS

# Longer URLs are cut before parsing: a page's words sit in the first few kilobytes.
MAX_URL_CHARS = 4096
MIN_WORD_CHARS = 2
MAX_WORD_CHARS = 40
SEARCH_PARAMETERS = frozenset({"q", "query", "text", "search", "keyword", "keywords", "k", "s", "wd", "p"})
UNTAGGABLE_SCHEMES = frozenset({"data", "javascript", "mailto", "tel", "about", "file", "blob", "chrome"})

_WORD_RE = re.compile(r"[^\W\d_]+|\d+")
_CAMEL_RE = re.compile(r"(?<=[a-z\u00e0-\u00ff])(?=[A-Z])")
_HEX_ID_RE = re.compile(r"^[0-9a-fA-F]{8,}$")
_LETTER_DIGIT_SWITCH_RE = re.compile(r"(?<=[a-zA-Z])(?=\d)|(?<=\d)(?=[a-zA-Z])")
# Ids and hashes (H2EvwJSK2VE6OF7iK1g3PP) switch between letters and digits again and again;
# words with a model number (kiaRio2021, news14) switch once or twice.
MAX_LETTER_DIGIT_SWITCHES = 2
_PIECE_SPLIT_RE = re.compile(r"[-_.+,;:=~!*'()\s|]+")


@dataclass(frozen=True)
class UrlWords:
    """The words of a URL, or why it has none (`reason` is None when words were found)."""

    host: str
    words: tuple[str, ...]
    reason: str | None = None


# Letters whose diacritic makes another letter, not an accent: kept as they are.
KEPT_LETTERS = frozenset("йў")


def normalise_word(word: str) -> str:
    """NFKC, lower case, accents removed (é -> e, ё -> е; й stays й)."""
    if word.isascii():  # most words of most URLs: nothing to decompose
        return word.lower()
    return _normalise_unicode(word)


@functools.lru_cache(maxsize=200_000)
def _normalise_unicode(word: str) -> str:
    return "".join(
        char if char in KEPT_LETTERS
        else "".join(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part))
        for char in unicodedata.normalize("NFKC", word).lower()
    )


def words(text: str, drop: frozenset[str] = STOP_WORDS) -> list[str]:
    """The content words of a text, normalised; digits and stop words are dropped."""
    split = text if text.islower() else _CAMEL_RE.sub(" ", text)  # no capital, no camelCase
    found = []
    for raw in _WORD_RE.findall(split):
        word = normalise_word(raw)
        if MIN_WORD_CHARS <= len(word) <= MAX_WORD_CHARS and not word.isdigit() and word not in drop:
            found.append(word)
    return found


# Hosts and folder names (news, business, 2014) repeat across a day's URLs: their words are
# remembered. Splitting URLs is most of the tagger's time when pages are new.
@functools.lru_cache(maxsize=100_000)
def _path_words(segment: str) -> tuple[str, ...]:
    kept = " ".join(piece for piece in _PIECE_SPLIT_RE.split(segment) if piece and not _is_id(piece))
    return tuple(word for word in words(kept) if word not in BOILERPLATE)


def _is_id(piece: str) -> bool:
    if piece.isalpha():  # most slug pieces; an id has digits
        return False
    if _HEX_ID_RE.match(piece) and any(char.isdigit() for char in piece):
        return True
    return len(_LETTER_DIGIT_SWITCH_RE.findall(piece)) > MAX_LETTER_DIGIT_SWITCHES


@functools.lru_cache(maxsize=100_000)
def host_words(host: str) -> tuple[str, ...]:
    """Words of a host name without `www`, the TLD and boilerplate labels (IDN hosts decoded)."""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) > 1:
        labels = labels[:-1]
    decoded = []
    for label in labels:
        if label.startswith("xn--"):
            try:
                label = label.encode("ascii").decode("idna")
            except UnicodeError:
                continue
        decoded.extend(w for w in words(label.replace("-", " ")) if w not in BOILERPLATE)
    return tuple(decoded)


def url_words(url: object) -> UrlWords:
    """The words of a URL: host, path segments and slugs, search terms of the query string."""
    if not isinstance(url, str) or not url.strip():
        return UrlWords("", (), "empty_url")
    text = url.strip()[:MAX_URL_CHARS].replace("\\", "")
    scheme = text.split(":", 1)[0].lower() if ":" in text[:12] else ""
    if scheme in UNTAGGABLE_SCHEMES:
        return UrlWords("", (), f"{scheme}_url")
    if "://" not in text[:12]:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
    except ValueError:
        return UrlWords("", (), "unparsable_url")
    found = list(host_words(host))
    for segment in unquote(parts.path, errors="replace").split("/"):
        found.extend(_path_words(segment))
    for key, value in parse_qsl(parts.query, keep_blank_values=False, errors="replace"):
        if key.lower() in SEARCH_PARAMETERS:
            found.extend(words(value))
    if not found:
        return UrlWords(host, (), "no_words_in_url")
    return UrlWords(host, tuple(found))


def forget_words() -> None:
    """Empty the remembered words of hosts and path segments (benchmarks time cold starts)."""
    host_words.cache_clear()
    _path_words.cache_clear()


def document_words(line: str) -> list[str]:
    """Words of one corpus line: plain text, where anything that looks like a URL counts as a URL."""
    found = []
    for piece in line.split():
        if "://" in piece or piece.startswith("www."):
            found.extend(url_words(piece).words)
        else:
            found.extend(words(piece))
    return found
