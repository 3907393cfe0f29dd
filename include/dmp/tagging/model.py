"""The embedding model: gensim Word2Vec trained on a plain-text corpus, saved versioned.

A model folder holds `vectors.kv` (gensim KeyedVectors, memory-mappable so every Spark worker
shares one copy of the vectors in the page cache), `corpus.npz` (the corpus as word ids, which
theme profiles learn from; see `profiles.py`) and `metadata.json` (version, corpus size,
vocabulary size, parameters, training date). Models live in `<DMP_MODEL_DIR>/<version>/`;
`<DMP_MODEL_DIR>/current` points at the one the pipeline uses.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dmp.errors import ConfigError, InputError
from dmp.tagging.text import document_words
from dmp.tagging.training import DEFAULT_TRAINING, TrainingParameters

log = logging.getLogger(__name__)

VECTORS_FILE = "vectors.kv"
CORPUS_FILE = "corpus.npz"
METADATA_FILE = "metadata.json"
CURRENT_LINK = "current"
# Small corpora need more passes to give usable vectors: at least this many words are trained
# on, within MIN_EPOCHS to MAX_EPOCHS passes (gensim's default of 5 passes suits large corpora).
MIN_TRAINING_WORDS = 5_000_000
MIN_EPOCHS, MAX_EPOCHS = 5, 50


@dataclass(frozen=True)
class EmbeddingModel:
    """A loaded model: vectors, the corpus as word ids, metadata."""

    path: Path
    vectors: object  # gensim KeyedVectors
    doc_offsets: np.ndarray  # doc i is word_ids[doc_offsets[i]:doc_offsets[i + 1]]
    word_ids: np.ndarray
    metadata: dict

    @property
    def version(self) -> str:
        return self.metadata["version"]


def _epochs(parameters: TrainingParameters, corpus_words: int) -> int:
    if parameters.epochs:
        return parameters.epochs
    return max(MIN_EPOCHS, min(MAX_EPOCHS, -(-MIN_TRAINING_WORDS // max(corpus_words, 1))))


def _write_tokens(corpus: Path, tokens_path: Path) -> tuple[int, int]:
    """Normalise the corpus once into space-separated words (gensim's fast `corpus_file` input).

    Bad bytes are replaced, not fatal; lines without a word are left out. Returns the documents
    and the words written.
    """
    documents = words_written = 0
    with open(corpus, encoding="utf-8", errors="replace") as source, open(tokens_path, "w", encoding="utf-8") as out:
        for line in source:
            found = document_words(line)
            if found:
                out.write(" ".join(found) + "\n")
                documents += 1
                words_written += len(found)
    return documents, words_written


def train_model(corpus: Path, out_dir: Path, parameters: TrainingParameters = DEFAULT_TRAINING,
                init_vectors: Path | None = None) -> EmbeddingModel:
    """Train Word2Vec on `corpus` (one document per line) and save the model in `out_dir`.

    With `init_vectors` (a client's word2vec/fastText file), the corpus words that file knows start
    from, and keep, its vectors: the corpus places its other words among them (see `vectors.py`).
    """

    if not Path(corpus).is_file():
        raise InputError(f"Corpus {corpus} does not exist: give a text file with one document per line.")
    started = dt.datetime.now(dt.timezone.utc)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tokens_path = out_dir / ".corpus.tokens"
    try:
        documents, corpus_words = _write_tokens(Path(corpus), tokens_path)
        if documents == 0:
            raise InputError(f"Corpus {corpus} has no words: give a text file with one document per line.")
        parameters = dataclasses.replace(parameters, epochs=_epochs(parameters, corpus_words))
        model, initialised = _word2vec(tokens_path, parameters, init_vectors)
        vectors = model.wv
        if len(vectors) == 0:
            raise InputError(f"Corpus {corpus} has no word seen {parameters.min_count} times or more: nothing to learn.")
        offsets, word_ids = _corpus_ids(tokens_path, vectors.key_to_index)
    finally:
        tokens_path.unlink(missing_ok=True)
    digest = hashlib.sha256(f"{corpus}:{Path(corpus).stat().st_size}:{parameters}".encode()).hexdigest()[:8]
    metadata = {
        "version": f"w2v-{started:%Y%m%dT%H%M%S}-{digest}",
        "trained_at": started.isoformat(timespec="seconds"),
        "corpus": str(corpus),
        "documents": int(offsets.size - 1),
        "tokens": int(model.corpus_total_words),
        "vocabulary": len(vectors),
        "parameters": parameters.__dict__,
        **({"init_vectors": str(init_vectors), "initialised_words": initialised} if init_vectors else {}),
        "seconds": round((dt.datetime.now(dt.timezone.utc) - started).total_seconds(), 1),
    }
    return save_model(out_dir, vectors, offsets, word_ids, metadata)


def _word2vec(tokens_path: Path, parameters: TrainingParameters, init_vectors: Path | None):
    """A trained gensim Word2Vec, and how many of its words started from (and kept) `init_vectors`."""
    from gensim.models import Word2Vec

    if init_vectors is None:
        return Word2Vec(
            corpus_file=str(tokens_path), vector_size=parameters.vector_size, window=parameters.window,
            min_count=parameters.min_count, epochs=parameters.epochs, sg=parameters.sg, seed=parameters.seed,
            workers=parameters.workers,
        ), 0
    from dmp.tagging.vectors import read_vectors

    given = read_vectors(init_vectors)
    model = Word2Vec(vector_size=given.vector_size, window=parameters.window, min_count=parameters.min_count,
                     sg=parameters.sg, seed=parameters.seed, workers=parameters.workers)
    model.build_vocab(corpus_file=str(tokens_path))
    known = [(index, given.key_to_index[word]) for index, word in enumerate(model.wv.index_to_key)
             if word in given.key_to_index]
    locks = np.ones(len(model.wv), dtype=np.float32)
    if known:
        ours, theirs = map(list, zip(*known))
        model.wv.vectors[ours] = given.vectors[theirs]
        locks[ours] = 0.0  # the client's vectors stay as given; the corpus's other words move around them
    model.wv.vectors_lockf = locks
    model.train(corpus_file=str(tokens_path), total_words=model.corpus_total_words, epochs=parameters.epochs)
    return model, len(known)


def import_model(vector_file: Path, out_dir: Path, corpus: Path | None = None) -> EmbeddingModel:
    """Make a client's word2vec/fastText vectors a model, with `corpus` (optional) for theme profiles to learn from.

    Without a corpus, profiles rest on the seed words and the vectors alone (`profiles.py`).
    """
    from dmp.tagging.vectors import read_vectors

    started = dt.datetime.now(dt.timezone.utc)
    vectors = read_vectors(vector_file)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    offsets, word_ids, documents = np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32), 0
    if corpus is not None:
        if not Path(corpus).is_file():
            raise InputError(f"Corpus {corpus} does not exist: give a text file with one document per line.")
        tokens_path = out_dir / ".corpus.tokens"
        try:
            documents, _ = _write_tokens(Path(corpus), tokens_path)
            offsets, word_ids = _corpus_ids(tokens_path, vectors.key_to_index)
        finally:
            tokens_path.unlink(missing_ok=True)
    digest = hashlib.sha256(f"{vector_file}:{Path(vector_file).stat().st_size}:{corpus}".encode()).hexdigest()[:8]
    metadata = {
        "version": f"imported-{started:%Y%m%dT%H%M%S}-{digest}",
        "trained_at": started.isoformat(timespec="seconds"),
        "imported_from": str(vector_file),
        "corpus": str(corpus) if corpus else None,
        "documents": int(offsets.size - 1),
        "tokens": int(word_ids.size),
        "vocabulary": len(vectors),
        "parameters": {"vector_size": vectors.vector_size},
        "seconds": round((dt.datetime.now(dt.timezone.utc) - started).total_seconds(), 1),
    }
    return save_model(out_dir, vectors, offsets, word_ids, metadata)


def _corpus_ids(tokens_path: Path, key_to_index: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    ids, offsets = [], [0]
    with open(tokens_path, encoding="utf-8") as documents:
        for document in documents:
            ids.extend(key_to_index[word] for word in document.split() if word in key_to_index)
            offsets.append(len(ids))
    return np.asarray(offsets, dtype=np.int64), np.asarray(ids, dtype=np.int32)


def save_model(out_dir: Path, vectors, offsets: np.ndarray, word_ids: np.ndarray, metadata: dict) -> EmbeddingModel:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    vectors.save(str(out_dir / VECTORS_FILE), sep_limit=0)  # arrays in their own files, so they mmap
    np.savez(out_dir / CORPUS_FILE, offsets=offsets, word_ids=word_ids)
    (out_dir / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n")
    log.info("saved model %s (%s words) in %s", metadata["version"], metadata["vocabulary"], out_dir)
    return EmbeddingModel(out_dir, vectors, offsets, word_ids, metadata)


def load_model(path: Path) -> EmbeddingModel:
    """Load a model folder (vectors memory-mapped); a clear error when it is missing or incomplete."""
    from gensim.models import KeyedVectors

    path = Path(path)
    missing = [name for name in (VECTORS_FILE, CORPUS_FILE, METADATA_FILE) if not (path / name).is_file()]
    if missing:
        raise ConfigError(
            f"No usable model in {path} (missing {', '.join(missing)}). Train one with "
            "`dmp model train --corpus FILE`, or set DMP_MODEL_DIR / --model to a model folder."
        )
    vectors = KeyedVectors.load(str(path / VECTORS_FILE), mmap="r")
    corpus = np.load(path / CORPUS_FILE)
    metadata = json.loads((path / METADATA_FILE).read_text())
    return EmbeddingModel(path.resolve(), vectors, corpus["offsets"], corpus["word_ids"], metadata)


def publish(model_root: Path, model_dir: Path) -> Path:
    """Point `<model_root>/current` at `model_dir` (atomically: readers see the old or the new one)."""
    link = Path(model_root) / CURRENT_LINK
    temporary = link.with_name(f".{CURRENT_LINK}.{os.getpid()}")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(Path(model_dir).resolve(), target_is_directory=True)
    temporary.replace(link)
    return link
