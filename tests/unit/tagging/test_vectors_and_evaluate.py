"""A client's pretrained vectors (`dmp model import`, `dmp model train --init-vectors`), and
`dmp tag evaluate` on title-only rows and on several labelled sets in one call."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dmp.cli import main
from dmp.tagging.model import load_model
from dmp.tagging.vectors import read_vectors

DIMENSIONS = 8
SPORT = ["football", "match", "goal", "striker", "stadium", "fußball"]
MONEY = ["bank", "market", "stocks", "shares", "investors", "Économie"]
TAXONOMY = "themes:\n  sport: {seeds: [football, match]}\n  money: {seeds: [bank, market]}\n"
CORPUS = ["striker scores a goal in the stadium", "the football match ends late", "bank shares fall on the market",
          "investors sell stocks at the bank"] * 30


def _vectors() -> tuple[list[str], np.ndarray]:
    """Two clusters of words, one per theme, plus keys that are not words."""
    rng = np.random.default_rng(5)
    centres = np.eye(DIMENSIONS)[:2] * 3
    keys = SPORT + MONEY + ["</s>", "New_York"]
    rows = [centres[0] + rng.normal(scale=0.3, size=DIMENSIONS) for _ in SPORT]
    rows += [centres[1] + rng.normal(scale=0.3, size=DIMENSIONS) for _ in MONEY]
    rows += [rng.normal(size=DIMENSIONS) for _ in range(2)]
    return keys, np.asarray(rows, dtype=np.float32)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    from gensim.models import KeyedVectors

    root = tmp_path_factory.mktemp("vectors")
    keys, rows = _vectors()
    text = root / "client.vec"  # fastText's .vec: word2vec text format with a header line
    text.write_text(f"{len(keys)} {DIMENSIONS}\n" + "".join(
        f"{key} {' '.join(f'{value:.5f}' for value in row)}\n" for key, row in zip(keys, rows)), encoding="utf-8")
    vectors = KeyedVectors(DIMENSIONS)
    vectors.add_vectors(keys, rows)
    binary = root / "client.bin"
    vectors.save_word2vec_format(str(binary), binary=True)
    (root / "themes.yaml").write_text(TAXONOMY)
    (root / "corpus.txt").write_text("\n".join(CORPUS) + "\n")
    return root


@pytest.mark.parametrize("name", ["client.vec", "client.bin"])
def test_vector_files_read_in_text_and_binary_with_normalised_keys(files, name):
    vectors = read_vectors(files / name)
    assert vectors.vector_size == DIMENSIONS
    assert "economie" in vectors.key_to_index and "fußball" in vectors.key_to_index
    assert "</s>" not in vectors.key_to_index and "new_york" not in vectors.key_to_index
    assert vectors.similarity("football", "striker") > 0.8 > vectors.similarity("football", "bank")


def test_a_file_that_is_not_vectors_is_a_clear_error(files, tmp_path, capsys):
    bad = tmp_path / "notes.vec"
    bad.write_text("these are not vectors\n")
    assert main(["model", "import", str(bad), "--out", str(tmp_path / "m")]) != 0
    assert "not a word2vec or fastText vector file" in capsys.readouterr().err


def test_imported_vectors_tag_pages_without_a_corpus(files, tmp_path, capsys):
    assert main(["model", "import", str(files / "client.vec"), "--out", str(tmp_path / "imported")]) == 0
    assert "vocabulary 12" in capsys.readouterr().out
    assert main(["tag", "url", "--model", str(tmp_path / "imported"), "--taxonomy", str(files / "themes.yaml"),
                 "https://news.example.com/striker-stadium", "https://news.example.com/investors-shares"]) == 0
    themes = [line.split("\t")[1] for line in capsys.readouterr().out.splitlines()]
    assert themes == ["sport", "money"]  # no seed word in either URL: the client's vectors decide


def test_training_from_init_vectors_keeps_the_clients_vectors(files, tmp_path, capsys):
    out = tmp_path / "trained"
    assert main(["model", "train", "--corpus", str(files / "corpus.txt"), "--init-vectors",
                 str(files / "client.bin"), "--out", str(out), "--min-count", "1"]) == 0
    model, given = load_model(out), read_vectors(files / "client.bin")
    assert model.metadata["initialised_words"] == 10  # the corpus words the file knows
    assert np.allclose(model.vectors["striker"], given["striker"])
    assert "scores" in model.vectors.key_to_index  # a corpus word the file lacks, trained around them


def test_evaluate_tags_title_only_rows_and_reports_several_sets(files, tmp_path, capsys):
    assert main(["model", "import", str(files / "client.vec"), "--corpus", str(files / "corpus.txt"),
                 "--out", str(tmp_path / "m")]) == 0
    titles = tmp_path / "titles.tsv"
    titles.write_text("url\tlabel\ttitle\n\tsport\tThe striker and the stadium\n\tmoney\tInvestors buy shares\n")
    urls = tmp_path / "urls.tsv"
    urls.write_text("url\tlabel\nhttps://x.example.com/goal-match\tsport\nhttps://x.example.com/bank-stocks\tmoney\n")
    report = tmp_path / "report.json"
    assert main(["tag", "evaluate", "--model", str(tmp_path / "m"), "--taxonomy", str(files / "themes.yaml"),
                 "--labeled", str(titles), "--labeled", str(urls), "--json", str(report)]) == 0
    figures = json.loads(report.read_text())
    assert figures[str(titles)]["accuracy"] == 1.0  # empty url: tagged from the title, without --use-titles
    assert figures[str(urls)]["accuracy"] == 1.0
    assert figures["all"]["pages"] == 4
    assert "all sets together" in capsys.readouterr().out
