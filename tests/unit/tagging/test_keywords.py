"""Keywords of a page: fields weighted, phrases, stop words, synonyms."""

from __future__ import annotations

import pytest

from dmp.tagging.keywords import FIELD_WEIGHTS, load_synonyms, page_keywords


def test_url_words_and_phrases_are_keywords():
    keywords = dict(page_keywords("https://www.autoplus.fr/essai-ford-focus.html"))
    assert keywords["ford"] == FIELD_WEIGHTS["url"]
    assert "ford focus" in keywords and keywords["ford focus"] < keywords["ford"]
    assert "html" not in keywords and "www" not in keywords


def test_fields_weigh_by_where_the_word_stands():
    keywords = dict(page_keywords("https://example.org/a", {
        "title": "Opel Astra review", "article_text": "the astra and the corsa", "img_alt": "opel logo",
    }))
    assert keywords["astra"] == pytest.approx(FIELD_WEIGHTS["title"] + FIELD_WEIGHTS["article_text"])
    assert keywords["corsa"] == pytest.approx(FIELD_WEIGHTS["article_text"])
    assert keywords["opel"] > keywords["corsa"]
    assert "the" not in keywords


def test_heaviest_first_and_limited():
    ranked = page_keywords("https://x.org/" + "-".join(f"word{chr(97 + i)}" for i in range(26)), limit=5)
    assert len(ranked) == 5
    assert [weight for _, weight in ranked] == sorted((weight for _, weight in ranked), reverse=True)


def test_synonyms_map_variants_to_one_keyword(tmp_path):
    path = tmp_path / "synonyms.yaml"
    path.write_text("car: [auto, automobile]\nford focus: [focus ford]\n")
    synonyms = load_synonyms(path)
    keywords = dict(page_keywords("https://x.org/automobile-news", {"title": "Auto: focus Ford"}, synonyms))
    assert "car" in keywords and "auto" not in keywords and "automobile" not in keywords
    assert "ford focus" in keywords


def test_an_unknown_field_is_refused():
    with pytest.raises(ValueError, match="unknown page field 'h9'"):
        page_keywords("https://x.org/", {"h9": "text"})
