"""A client's pretrained word vectors (word2vec or fastText, text or binary) as the tagger's words.

`read_vectors` loads a file in any of the formats such vectors are published in: the word2vec
text format (fastText's `.vec`, e.g. `cc.fr.300.vec`: a "count dimensions" header line, then one
word and its numbers per line), the word2vec binary format, and fastText's own `.bin` model. Keys
are normalised like every word the tagger sees (lower case, accents removed: `Économie` ->
`economie`); of several keys that normalise alike, the first (the most frequent, in these
files' order) is kept, and keys that are not one word (`New_York`, `</s>`, `1999`) are left out.

The vectors serve two ways: `dmp model import FILE` makes them the model (with an optional corpus
that theme profiles learn from), and `dmp model train --init-vectors FILE` starts word2vec
training on the client's corpus from them, so the words of a small corpus start where a large
one put them.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from dmp.errors import InputError
from dmp.tagging.text import words

log = logging.getLogger(__name__)

DEFAULT_MAX_WORDS = 500_000  # of a file's most frequent words; cc.*.300.vec hold 2M (2.4 GB as float32)
FASTTEXT_MAGIC = 793712314  # the first int32 of a fastText .bin model


def read_vectors(path: Path, max_words: int | None = DEFAULT_MAX_WORDS):
    """Normalised gensim KeyedVectors from a word2vec/fastText file; a clear error when unreadable."""
    from gensim.models import KeyedVectors

    path = Path(path)
    if not path.is_file():
        raise InputError(f"Vector file {path} does not exist: give a word2vec or fastText .vec/.bin file.")
    try:
        if _is_fasttext_model(path):
            from gensim.models.fasttext import load_facebook_vectors

            raw = load_facebook_vectors(str(path))
            keys = raw.index_to_key[:max_words] if max_words else raw.index_to_key
            found = KeyedVectors(raw.vector_size)
            found.add_vectors(keys, np.asarray([raw[k] for k in keys]))
            raw = found
        else:
            raw = KeyedVectors.load_word2vec_format(str(path), binary=_is_binary(path), limit=max_words,
                                                    unicode_errors="replace")
    except (ValueError, EOFError, UnicodeDecodeError, OSError) as error:
        raise InputError(f"{path} is not a word2vec or fastText vector file ({error}); give the .vec text "
                         "file or a word2vec/fastText .bin file.") from None
    return normalise_keys(raw)


def normalise_keys(raw):
    """The same vectors under the tagger's normalised words (first of duplicates kept, non-words left out)."""
    from gensim.models import KeyedVectors

    kept: dict[str, int] = {}
    for position, key in enumerate(raw.index_to_key):
        found = words(str(key), drop=frozenset())
        if len(found) == 1 and found[0] not in kept:
            kept[found[0]] = position
    if not kept:
        raise InputError("The vector file has no usable word (keys must be words, e.g. `economie 0.1 -0.2 ...`).")
    normalised = KeyedVectors(raw.vector_size)
    normalised.add_vectors(list(kept), np.asarray(raw.vectors[list(kept.values())], dtype=np.float32))
    log.info("read %s vectors of %s dimensions (%s keys before normalisation)", len(kept), raw.vector_size,
             len(raw.index_to_key))
    return normalised


def _is_fasttext_model(path: Path) -> bool:
    with open(path, "rb") as handle:
        head = handle.read(4)
    return len(head) == 4 and int(np.frombuffer(head, dtype="<i4")[0]) == FASTTEXT_MAGIC


def _is_binary(path: Path) -> bool:
    """word2vec binary files have raw floats after the header line; text files are UTF-8 lines."""
    with open(path, "rb") as handle:
        handle.readline()
        sample = handle.read(4096)
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start < len(sample) - 4  # a cut multi-byte character at the end is still text
    return b"\x00" in sample
