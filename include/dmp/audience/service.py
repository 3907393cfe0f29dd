"""The Audience Builder's work, apart from the web: estimates, suggestions, saving, build sizes.

One `AudienceService` per process holds a Cassandra session (the prepared sketch reads), the
sketch cache and, once asked for suggestions, the word2vec model. The web app (`dmp.audience.web`)
only parses requests and calls it. The default last day of a window is the newest day whose
keyword index was published (its figures in the runs folder), so a page opened on a quiet day
still shows the latest audience; a day's republication (new figures) empties its cached sketches.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import threading

from dmp.audience.engine import Answer, Estimator
from dmp.audience.expression import Query, Term, parse_term
from dmp.audience.sketch_cache import SketchCache
from dmp.errors import ConfigError, InputError
from dmp.pipeline import steps
from dmp.pipeline.runs import step_summary_path
from dmp.settings import Settings

DAY_PUBLISHERS = (steps.PUBLISH_KEYWORD_INDEX, steps.PUBLISH_PERSON_SKETCHES)
MAX_SUGGESTIONS = 20
CLOSE_WORD_CUTOFF = 0.75  # difflib ratio: one or two letters off in a word of six or more


class AudienceService:
    def __init__(self, settings: Settings, session):
        from dmp.storage.keyword_index import SketchReader

        self.settings = settings
        self.session = session
        self.reader = SketchReader(session, settings.keyspace)
        self.cache = SketchCache(self.reader.sketches_by_day, self.day_token)
        self.estimator = Estimator(self.cache)
        self._model = None
        self._model_lock = threading.Lock()

    @classmethod
    @contextlib.contextmanager
    def open(cls, settings: Settings):
        """A service with its own Cassandra session, closed on exit."""
        from dmp.storage.session import cassandra_session

        with cassandra_session(settings) as session:
            yield cls(settings, session)

    def day_token(self, day: dt.date) -> tuple:
        """Changes whenever a publishing step of the day writes its figures again."""
        token = []
        for step in DAY_PUBLISHERS:
            path = step_summary_path(self.settings, day, step)
            token.append(path.stat().st_mtime_ns if path.exists() else None)
        return tuple(token)

    def latest_day(self) -> dt.date:
        """The newest day with a published keyword index; yesterday (UTC) when none is known here."""
        days = []
        if self.settings.runs_dir.is_dir():
            for folder in self.settings.runs_dir.iterdir():
                if (folder / f"{steps.PUBLISH_KEYWORD_INDEX}.json").is_file():
                    with contextlib.suppress(ValueError):
                        days.append(dt.date.fromisoformat(folder.name))
        return max(days, default=dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=1))

    def estimate(self, query: Query, until: dt.date | None = None) -> Answer:
        return self.estimator.estimate(query, until or self.latest_day())

    # --- suggestions -------------------------------------------------------------------------

    def model(self):
        """The current word2vec model, loaded once."""
        from dmp.tagging.model import CURRENT_LINK, load_model

        with self._model_lock:
            if self._model is None:
                path = self.settings.model_dir / CURRENT_LINK
                if not path.exists():
                    raise ConfigError(f"No model under {path}: train one with `dmp model train` for suggestions.")
                self._model = load_model(path)
            return self._model

    def nearest_known(self, word: str) -> str | None:
        """The known word closest in spelling to `word` (same first letter, similar length), or None."""
        vectors = self.model().vectors
        candidates = [known for known in vectors.key_to_index
                      if known[:1] == word[:1] and abs(len(known) - len(word)) <= 2]
        close = difflib.get_close_matches(word, candidates, n=1, cutoff=CLOSE_WORD_CUTOFF)
        return close[0] if close else None

    def suggest(self, raw_term: str, window_days: int, field: str, limit: int, until: dt.date | None = None) -> dict:
        """Keywords near `raw_term` in the model, each with its reach over the window; unknown or
        misspelled words are replaced by the nearest known ones first."""
        term = parse_term(raw_term)
        if term.is_theme:
            raise InputError("suggestions are for keywords; themes come from the taxonomy.")
        if not 1 <= limit <= MAX_SUGGESTIONS:
            raise InputError(f"limit {limit}: from 1 to {MAX_SUGGESTIONS}.")
        vectors = self.model().vectors
        corrected, known = {}, []
        for word in term.key.split():
            if word in vectors.key_to_index:
                known.append(word)
            elif (near := self.nearest_known(word)) is not None:
                corrected[word] = near
                known.append(near)
        neighbours = []
        if known:
            for word, similarity in vectors.most_similar(positive=known, topn=limit * 3):
                if word not in known and len(word) > 2 and word.isalpha():
                    neighbours.append((word, similarity))
                if len(neighbours) == limit:
                    break
        last = until or self.latest_day()
        suggestions = []
        for word, similarity in neighbours:
            reach = self.estimate(Query((Term(word),), "any", window_days, field), last)
            suggestions.append({"keyword": word, "similarity": round(float(similarity), 3), **reach.size.as_dict(),
                                "level": reach.level})
        return {"term": term.text, "known_words": known, "corrected": corrected, "suggestions": suggestions}
