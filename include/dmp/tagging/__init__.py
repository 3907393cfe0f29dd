"""Semantic page tagging: URLs and page text to themes by word2vec proximity, with manual rules.

`text.py` turns URLs and page text into normalised words; `model.py` trains and loads the
embedding model, `vectors.py` reads a client's pretrained word2vec/fastText vectors; `taxonomy.py`
and `rules.py` read what the client configures; `seeds.py` finds the forms of seed words in any
language; `profiles.py` turns seed words into theme profiles over the model's vocabulary, with the
guards of `balance.py` against collapse; `tagger.py` tags pages in batches; `keywords.py` extracts
the keywords of a page for keyword audiences; `evaluate.py`, `news.py` and `evalsets.py` measure
the tagger on labelled pages and the public sets.
"""
