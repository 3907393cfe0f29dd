"""Search queries from referrers of each engine, encrypted searches, site search on the page URL, and junk."""

from __future__ import annotations

import pytest

from dmp.errors import ConfigError
from dmp.tagging.keywords import (
    FIELD_BITS, SEARCH_MASK, Synonyms, fields_of, page_keyword_fields, search_keywords,
)
from dmp.tagging.search_terms import (
    ENCRYPTED, INVALID_ENCODING, NO_WORDS, SITE_SEARCH, TOO_LONG, SearchTable, load_search_table, referrer_query,
    site_search_query,
)

# Real-looking result-page referrers, as browsers that keep the query send them.
ENGINE_REFERRERS = [
    ("https://www.google.com/search?q=ford+focus+review&oq=ford+focus&sourceid=chrome&ie=UTF-8", "google",
     "ford focus review"),
    ("https://www.google.co.uk/search?client=firefox-b-d&q=horse%20racing%20odds", "google", "horse racing odds"),
    ("https://www.google.fr/search?q=essai+peugeot+%C3%A9lectrique&hl=fr", "google", "essai peugeot électrique"),
    ("https://www.bing.com/search?q=tesla+model+3&form=QBLH&sp=-1", "bing", "tesla model 3"),
    ("https://search.yahoo.com/search?p=rihanna+tour+dates&fr=yfp-t", "yahoo", "rihanna tour dates"),
    ("https://fr.search.yahoo.com/search?p=recette+cr%C3%AApes&ei=UTF-8", "yahoo", "recette crêpes"),
    ("https://duckduckgo.com/?q=electric+suv+range&t=h_&ia=web", "duckduckgo", "electric suv range"),
    ("https://www.qwant.com/?q=pronostic+quint%C3%A9&t=web", "qwant", "pronostic quinté"),
    ("https://yandex.ru/search/?text=%D0%BA%D1%83%D0%BF%D0%B8%D1%82%D1%8C+%D0%BB%D0%B0%D0%B4%D0%B0+%D0%B2%D0%B5%D1%81"
     "%D1%82%D0%B0&lr=213", "yandex", "купить лада веста"),
    ("https://go.mail.ru/search?q=%D1%80%D0%B5%D1%86%D0%B5%D0%BF%D1%82+%D0%B1%D0%BE%D1%80%D1%89%D0%B0&fm=1",
     "mailru", "рецепт борща"),
    ("https://www.baidu.com/s?wd=%E7%A6%8F%E7%89%B9%E7%A6%8F%E5%85%8B%E6%96%AF&rsv_spt=1", "baidu", "福特福克斯"),
    ("https://m.baidu.com/s?word=%E5%A5%94%E9%A9%B0", "baidu", "奔驰"),
]


@pytest.mark.parametrize("referrer, engine, query", ENGINE_REFERRERS)
def test_each_engine_gives_its_decoded_query(referrer, engine, query):
    found = referrer_query(referrer)
    assert (found.engine, found.query, found.reason) == (engine, query, None)


@pytest.mark.parametrize("referrer, engine", [
    ("https://www.google.com/", "google"), ("https://www.google.fr", "google"), ("https://www.bing.com/", "bing"),
    ("https://yandex.ru/", "yandex"), ("https://duckduckgo.com/", "duckduckgo"),
    ("https://www.google.com/url?sa=t&rct=j&url=https%3A%2F%2Fexample.com%2F", "google"),
    ("https://www.google.com/search?q=&oq=", "google"),
])
def test_an_encrypted_search_has_an_engine_and_no_query(referrer, engine):
    found = referrer_query(referrer)
    assert (found.engine, found.query, found.reason) == (engine, None, ENCRYPTED)


@pytest.mark.parametrize("referrer", [
    None, "", "   ", "not a url", "https://www.lemonde.fr/sport/?q=football", "https://news.google.com/",
    "https://www.facebook.com/search?q=ford", "https://evil.example/?u=https://www.google.com/search?q=x",
    "https://[::1/search?q=x", "javascript:alert(1)", 42,
])
def test_other_referrers_and_garbage_are_no_search(referrer):
    assert referrer_query(referrer) is None


@pytest.mark.parametrize("referrer, reason", [
    ("https://www.google.com/search?q=" + "ford+" * 2000, TOO_LONG),  # a 10 KB query
    ("https://yandex.ru/search/?text=%EF%F0%E8%E2%E5%F2", INVALID_ENCODING),  # windows-1251, not UTF-8
    ("https://www.bing.com/search?q=%E2%82", INVALID_ENCODING),  # a cut UTF-8 sequence
    ("https://www.google.com/search?q=the+of+and", NO_WORDS),
    ("https://www.google.com/search?q=%21%21%3F", NO_WORDS),
])
def test_a_bad_query_is_dropped_with_its_reason(referrer, reason):
    found = referrer_query(referrer)
    assert found.query is None and found.reason == reason


@pytest.mark.parametrize("url, query", [
    ("https://www.autoplus.fr/recherche?q=peugeot+3008", "peugeot 3008"),
    ("https://www.bbc.co.uk/search?q=premier+league&page=2", "premier league"),
    ("https://lenta.ru/search/?text=%D1%85%D0%BE%D0%BA%D0%BA%D0%B5%D0%B9", "хоккей"),
    ("https://shop.example.de/suche?query=winterreifen", "winterreifen"),
])
def test_a_site_search_page_gives_its_query(url, query):
    found = site_search_query(url)
    assert (found.engine, found.query) == (SITE_SEARCH, query)


@pytest.mark.parametrize("url", [
    "https://www.autoplus.fr/essai/peugeot-3008", "https://www.example.com/search", "https://example.com/research?q=x",
    "https://example.com/search?page=2", None,
])
def test_other_pages_are_no_site_search(url):
    assert site_search_query(url) is None


def test_search_keywords_are_normalised_like_page_keywords_with_synonyms():
    synonyms = Synonyms({"auto": "car", "voiture": "car"})
    assert search_keywords("Essai VOITURE électrique", synonyms) == [
        "car", "electrique", "essai", "car electrique", "essai car"]
    assert search_keywords("ＦＯＲＤ Focus") == ["focus", "ford", "ford focus"]  # NFKC: full-width letters


def test_a_site_search_query_is_the_pages_search_field_and_its_path_the_url_field():
    found = {keyword: (weight, fields_of(mask)) for keyword, weight, mask in
             page_keyword_fields("https://www.autoplus.fr/recherche?q=peugeot+hybride")}
    assert fields_of(SEARCH_MASK) == ("search",)
    assert found["peugeot"][1] == ("search",) and found["peugeot hybride"][1] == ("search",)
    assert found["autoplus"][1] == ("url",)
    article = page_keyword_fields("https://www.autoplus.fr/essai/peugeot-hybride", {"title": "Peugeot hybride"})
    assert {keyword: mask for keyword, _, mask in article}["peugeot"] == FIELD_BITS["url"] | FIELD_BITS["title"]


def test_the_table_is_extended_from_a_file_and_bad_files_are_clear_errors(tmp_path):
    path = tmp_path / "engines.yaml"
    path.write_text("engines:\n  - {name: ecosia, hosts: 'ecosia\\.org', params: [q]}\n"
                    "  - {name: bing, hosts: 'bing\\.com', params: [query]}\nsite_search:\n  paths: [buscar]\n")
    table = load_search_table(path)
    assert referrer_query("https://www.ecosia.org/search?q=velo+electrique", table).query == "velo electrique"
    assert referrer_query("https://www.bing.com/search?query=opel", table).query == "opel"
    assert referrer_query("https://yandex.ru/search/?text=lada", table).query == "lada", "built-in engines stay"
    assert site_search_query("https://tienda.example.es/buscar?q=coche", table).query == "coche"
    assert site_search_query("https://example.com/search?q=x", table) is None, "paths replace the built-in ones"
    path.write_text("engines:\n  - {name: broken, hosts: '(', params: [q]}\n")
    with pytest.raises(ConfigError, match=r"engines\[0\]: hosts '\(' is not a regular expression"):
        load_search_table(path)
    path.write_text("engines: [{name: x}]\n")
    with pytest.raises(ConfigError, match=r"expected \{name"):
        load_search_table(path)


def test_the_spark_prefilter_matches_every_engine_referrer_and_not_other_sites():
    import re

    pattern = re.compile(SearchTable().referrer_pattern())
    assert all(pattern.search(referrer) for referrer, _, _ in ENGINE_REFERRERS)
    assert not pattern.search("https://www.lemonde.fr/?q=google.com")
    site = re.compile(SearchTable().site_search_pattern())
    assert site.search("https://www.autoplus.fr/recherche?q=peugeot") and not site.search("https://a.fr/essai?q=x")
