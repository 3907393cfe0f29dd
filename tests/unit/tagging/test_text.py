"""URL and text words: what the tagger, the model and keywords see of a page."""

from __future__ import annotations

import pytest

from dmp.tagging.text import document_words, normalise_word, url_words, words


@pytest.mark.parametrize(
    "url, expected",
    [
        ("www.nrj.fr/actu/633-rihanna.html", ("nrj", "actu", "rihanna")),
        ("http://www.geny.com/arrivee/prix-dione", ("geny", "arrivee", "prix", "dione")),
        ("https://auto.ru/cars/kiaRio2021/used", ("auto", "cars", "kia", "rio", "used")),
        ("https://yandex.ru/search/?text=ford+focus&lr=213", ("yandex", "search", "ford", "focus")),
        ("https://www.google.fr/search?q=voiture%20%C3%A9lectrique", ("google", "search", "voiture", "electrique")),
        ("http://www.livemint.com/Politics/H2EvwJSK2VE6OF7iK1g3PP/Feds-pace.html", ("livemint", "politics", "feds", "pace")),
        ("https://lenta.ru/news/2026/11/01/%D0%BA%D0%BE%D0%BD%D1%86%D0%B5%D1%80%D1%82/", ("lenta", "концерт")),
        ("http://www.example.com/index.php?id=42&utm_source=x", ("example",)),
        ("http://www.empireonline.com/news/story.asp\\?NID=41418", ("empireonline",)),
    ],
)
def test_url_words(url, expected):
    assert url_words(url).words == expected


@pytest.mark.parametrize(
    "url, reason",
    [
        ("", "empty_url"),
        ("   ", "empty_url"),
        (None, "empty_url"),
        (12345, "empty_url"),
        ("javascript:alert(1)", "javascript_url"),
        ("data:text/html;base64,PGgxPmhpPC9oMT4=", "data_url"),
        ("mailto:someone@example.org", "mailto_url"),
        ("http://[::1", "unparsable_url"),
        ("http://12345/67890", "no_words_in_url"),
        ("https://x.com/" + "a" * 1_000_000, "no_words_in_url"),
        ("%%%%%/////????", "no_words_in_url"),
    ],
)
def test_urls_without_words_say_why(url, reason):
    found = url_words(url)
    assert found.words == () and found.reason == reason


def test_invalid_utf8_and_control_characters_do_not_break_anything():
    found = url_words("http://example.org/caf%E9-%FF%FE-concert\x00\x07/cr\udcffash")
    assert "concert" in found.words and found.reason is None


def test_idn_hosts_are_decoded():
    assert url_words("http://xn--80aswg.xn--p1ai/novosti").words == ("сайт", "novosti")


def test_words_normalise_case_accents_and_compatibility_forms():
    assert words("Ｃafé ÉCOLE naïve Ёлка Йогурт") == ["cafe", "ecole", "naive", "елка", "йогурт"]
    assert normalise_word("ﬁlm") == "film"


def test_stop_words_of_three_languages_are_dropped():
    assert words("the car of the year") == ["car", "year"]
    assert words("la voiture de l'année") == ["voiture", "annee"]
    assert words("машина и дорога") == ["машина", "дорога"]


def test_a_corpus_line_reads_urls_as_urls():
    assert document_words("Rihanna on tour https://www.nrj.fr/actu/633-rihanna.html") == [
        "rihanna", "tour", "nrj", "actu", "rihanna",
    ]
