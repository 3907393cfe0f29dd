"""The model trained on generated pages tags them back: quality per language, rules, bad input."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest

from dmp.errors import ConfigError, InputError
from dmp.generate import GenerateRequest, generate
from dmp.generate.corpus import CORPUS_FILE
from dmp.generate.run import load_pool
from dmp.tagging.model import METADATA_FILE, load_model, publish, train_model
from dmp.tagging.profiles import learn_profiles, profiles_path
from dmp.tagging.rules import load_rules
from dmp.tagging.tagger import Tagger
from dmp.tagging.taxonomy import load_taxonomy

SEED = 3


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("generated")
    generate(GenerateRequest(start=date(2026, 11, 1), days=1, people=50, out_dir=out, seed=SEED))
    return out


@pytest.fixture(scope="module")
def model(generated, tmp_path_factory):
    return train_model(generated / CORPUS_FILE, tmp_path_factory.mktemp("model") / "v1")


@pytest.fixture(scope="module")
def tagger(model, settings):
    taxonomy = load_taxonomy(settings.home / "taxonomy" / "themes.yaml")
    return Tagger(model, taxonomy, load_rules(settings.home / "taxonomy" / "rules.yaml", taxonomy))


def test_the_model_records_what_it_was_trained_on(model, generated):
    meta = json.loads((model.path / METADATA_FILE).read_text())
    assert meta["documents"] == len((generated / CORPUS_FILE).read_text().splitlines())
    assert meta["vocabulary"] == len(model.vectors) > 100
    assert meta["version"].startswith("w2v-") and meta["parameters"]["vector_size"] == 100


def test_generated_pages_are_tagged_with_their_theme_in_every_language(tagger):
    pool = load_pool(None, SEED)
    tags = tagger.tag(pool.urls.tolist())
    truth = np.asarray(pool.theme_names)[pool.themes]
    guessed = np.asarray([tag.theme for tag in tags])
    languages = np.asarray(pool.languages)[pool.groups % len(pool.languages)]
    for language in pool.languages:
        in_language = languages == language
        accuracy = np.mean(guessed[in_language] == truth[in_language])
        assert accuracy > 0.85, f"{language}: {accuracy:.3f}"


def test_every_tag_says_who_decided_and_which_model(tagger, model):
    rule, page = tagger.tag(["http://www.geny.com/arrivee/prix-dione", "www.nrj.fr/actu/633-rihanna-concert.html"])
    assert (rule.theme, rule.source, rule.score) == ("horse-riding", "rule:1", 1.0)
    assert (page.theme, page.source) == ("music", "model")
    assert 0.4 <= page.score <= 1 and page.runner_up != "music" and page.runner_up_score <= page.score
    assert rule.model_version == page.model_version == model.version


@pytest.mark.parametrize(
    "url, reason",
    [
        ("", "empty_url"),
        ("javascript:void(0)", "javascript_url"),
        ("data:image/png;base64,AAAA", "data_url"),
        ("https://12345.com/" + "x" * 1_000_000, "no_words_in_url"),
        ("http://qwzx.example/zzqv-kkrp", "no_known_words"),
        ("https://www.facebook.com/groups/cars", "ignored_by_rule"),
    ],
)
def test_bad_or_unknown_pages_are_unknown_with_a_reason(tagger, url, reason):
    (tag,) = tagger.tag([url])
    assert tag.theme == "unknown" and tag.reason == reason


def test_a_batch_mixing_good_and_bad_urls_keeps_order(tagger):
    urls = ["https://www.bbcgoodfood.com/recipes/chocolate-cake", None, "\udcff\x00", "https://www.espn.com/story/_/id/1/football-match-goal"]
    tags = tagger.tag(urls)
    assert [tag.theme for tag in tags] == ["cooking", "unknown", "unknown", "sports"]


def test_profiles_are_cached_per_taxonomy_and_the_model_reloads_memory_mapped(model, tagger):
    assert profiles_path(model, tagger.taxonomy).is_file()
    reloaded = Tagger(load_model(model.path), tagger.taxonomy, tagger.rules)
    assert isinstance(reloaded.model.vectors.vectors, np.memmap)
    assert np.array_equal(reloaded.profiles.weights, tagger.profiles.weights)


def test_learning_profiles_leaves_the_model_as_loaded(model, tagger):
    word_ids, offsets = model.word_ids.copy(), model.doc_offsets.copy()
    first = learn_profiles(model, tagger.taxonomy)
    second = learn_profiles(model, tagger.taxonomy)
    assert np.array_equal(model.word_ids, word_ids) and np.array_equal(model.doc_offsets, offsets)
    assert np.array_equal(first.weights, second.weights)


def test_publish_points_current_at_the_new_model(model, tmp_path):
    link = publish(tmp_path, model.path)
    assert link.resolve() == model.path and load_model(link).version == model.version


def test_missing_model_and_empty_corpus_are_clear_errors(tmp_path):
    with pytest.raises(ConfigError, match="No usable model.*`dmp model train"):
        load_model(tmp_path)
    empty = tmp_path / "empty.txt"
    empty.write_text("\n the of \n")
    with pytest.raises(InputError, match="has no words"):
        train_model(empty, tmp_path / "model")
    with pytest.raises(InputError, match="does not exist"):
        train_model(tmp_path / "absent.txt", tmp_path / "model")
