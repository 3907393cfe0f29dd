"""`dmp model train`, `dmp tag url` and `dmp tag evaluate` as a user runs them."""

from __future__ import annotations

import json
from datetime import date

import pytest

from dmp import settings as settings_module
from dmp.cli import main
from dmp.generate import GenerateRequest, generate
from dmp.generate.corpus import CORPUS_FILE
from dmp.generate.run import load_pool
from dmp.tagging.model import publish, train_model
from dmp.tagging.training import DEFAULT_TRAINING


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    generate(GenerateRequest(start=date(2026, 11, 1), days=1, people=30, out_dir=root / "landing", seed=9))
    model = train_model(root / "landing" / CORPUS_FILE, root / "models" / "first")
    publish(root / "models", model.path)
    return root


def test_train_makes_a_new_current_model(trained, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DMP_MODEL_DIR", str(tmp_path))
    assert main(["model", "train", "--corpus", str(trained / "landing" / CORPUS_FILE)]) == 0
    assert "documents" in capsys.readouterr().out
    assert (tmp_path / "current" / "metadata.json").is_file()


def test_train_takes_the_training_defaults_for_what_is_not_given(trained, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DMP_MODEL_DIR", str(tmp_path))
    assert main(["model", "train", "--corpus", str(trained / "landing" / CORPUS_FILE), "--window", "3"]) == 0
    parameters = json.loads((tmp_path / "current" / "metadata.json").read_text())["parameters"]
    assert parameters["window"] == 3
    assert (parameters["vector_size"], parameters["min_count"]) == (DEFAULT_TRAINING.vector_size,
                                                                    DEFAULT_TRAINING.min_count)


def test_tag_url_prints_theme_score_and_source(trained, monkeypatch, capsys):
    monkeypatch.setenv("DMP_MODEL_DIR", str(trained / "models"))
    assert main(["tag", "url", "http://www.geny.com/arrivee/prix-dione", "javascript:void(0)",
                 "https://www.bbcgoodfood.com/recipes/chocolate-cake-dessert"]) == 0
    lines = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert lines[0][1:4] == ["horse-riding", "1.00", "rule:1"]
    assert lines[1][1] == "unknown" and lines[1][-1] == "reason javascript_url"
    assert lines[2][1] == "cooking" and lines[2][3] == "model"


def test_evaluate_prints_and_writes_the_report(trained, monkeypatch, capsys):
    monkeypatch.setenv("DMP_MODEL_DIR", str(trained / "models"))
    pool = load_pool(None, 9)
    labeled = trained / "labeled.tsv"
    rows = [f"{url}\t{pool.theme_names[theme]}" for url, theme in zip(pool.urls.tolist()[::7], pool.themes.tolist()[::7])]
    labeled.write_text("url\tlabel\n" + "\n".join(rows) + "\n")
    assert main(["tag", "evaluate", "--labeled", str(labeled), "--json", str(trained / "report.json")]) == 0
    out = capsys.readouterr().out
    assert "accuracy" in out and "confusion" in out
    report = json.loads((trained / "report.json").read_text())
    assert report["pages"] == len(rows) and report["accuracy"] > 0.8
    assert set(report["per_theme"]) == set(pool.theme_names)


def test_evaluate_names_labels_outside_the_taxonomy(trained, monkeypatch, capsys):
    monkeypatch.setenv("DMP_MODEL_DIR", str(trained / "models"))
    labeled = trained / "bad.tsv"
    labeled.write_text("url\tlabel\nhttps://x.org/a\tgardening\n")
    assert main(["tag", "evaluate", "--labeled", str(labeled)]) == 1
    assert "gardening" in capsys.readouterr().err


def test_tagging_without_a_model_says_how_to_get_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DMP_MODEL_DIR", str(tmp_path))
    assert main(["tag", "url", "https://x.org/"]) == 1
    assert "dmp model train" in capsys.readouterr().err


OTHER_THEMES = ("automobile", "cooking", "music")


def _other_taxonomy(root, extra: str = "") -> str:
    """A taxonomy other than the default: no horse-riding, which the default rules name."""
    path = root / "other.yaml"
    path.write_text("themes:\n"
                    "  automobile: {seeds: [car, engine, dealer], description: Cars and their market}\n"
                    "  cooking: {seeds: [recipe, dinner, baking]}\n"
                    "  music: {seeds: [music, concert, album]}\n" + extra)
    return str(path)


def test_evaluate_with_another_taxonomy_applies_no_default_rules_and_says_so(trained, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DMP_MODEL_DIR", str(trained / "models"))
    pool = load_pool(None, 9)
    pairs = [(url, pool.theme_names[theme]) for url, theme in zip(pool.urls.tolist(), pool.themes.tolist())]
    labeled = tmp_path / "labeled.tsv"
    labeled.write_text("url\tlabel\n" + "".join(f"{url}\t{label}\n" for url, label in pairs[::5]
                                                if label in OTHER_THEMES))
    assert main(["tag", "evaluate", "--labeled", str(labeled), "--taxonomy", _other_taxonomy(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert "no manual rules" in captured.err and "--rules" in captured.err
    assert "accuracy" in captured.out
    assert "Cars and their market" in captured.out, "a theme's description ends its row of the report"


def test_rules_asked_for_with_themes_the_taxonomy_lacks_are_a_clear_error(trained, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DMP_MODEL_DIR", str(trained / "models"))
    rules = str(settings_module.load().home / "taxonomy" / "rules.yaml")
    assert main(["tag", "url", "https://x.org/", "--taxonomy", _other_taxonomy(tmp_path), "--rules", rules]) == 1
    error = capsys.readouterr().err
    assert "rule 1" in error and "'horse-riding' is not in the taxonomy" in error


def test_tag_url_shows_the_theme_and_its_parent(trained, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DMP_MODEL_DIR", str(trained / "models"))
    taxonomy = _other_taxonomy(tmp_path, "  sports: {seeds: [football, match, league]}\n"
                                         "  horse-riding: {seeds: [horse, racing, jockey], parent: sports}\n")
    rules = str(settings_module.load().home / "taxonomy" / "rules.yaml")
    assert main(["tag", "url", "http://www.geny.com/arrivee/prix-dione", "--taxonomy", taxonomy, "--rules", rules]) == 0
    fields = capsys.readouterr().out.strip().split("\t")
    assert fields[1:5] == ["horse-riding", "1.00", "rule:1", "parent sports"]
