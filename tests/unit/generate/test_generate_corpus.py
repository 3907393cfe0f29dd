"""The corpus of generated pages: one line per page, its headline then its URL, words of its theme."""

from __future__ import annotations

from dmp.generate import vocabulary as vocab
from dmp.generate.corpus import CORPUS_FILE
from dmp.generate.run import load_pool


def test_every_page_has_one_line_ending_with_its_url(landing):
    lines = (landing.out_dir / CORPUS_FILE).read_text(encoding="utf-8").splitlines()
    pool = load_pool(None, landing.seed)
    assert [line.rsplit(" ", 1)[1] for line in lines] == pool.urls.tolist()


def test_headlines_use_the_words_of_the_page_theme_and_language(landing):
    lines = (landing.out_dir / CORPUS_FILE).read_text(encoding="utf-8").splitlines()
    pool = load_pool(None, landing.seed)
    languages = len(pool.languages)
    for line, group in list(zip(lines, pool.groups.tolist()))[::97]:
        theme, language = pool.theme_names[group // languages], pool.languages[group % languages]
        theme_words = set(vocab.THEME_WORDS[theme][vocab.LANGUAGES.index(language)].replace("-", " ").split())
        headline = line.rsplit(" ", 1)[0].lower().split()
        assert sum(word in theme_words for word in headline) >= len(headline) - 1, line
