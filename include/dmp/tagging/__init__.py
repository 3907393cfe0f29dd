"""Semantic page tagging: URLs and page text to themes by word2vec proximity, with manual rules.

`text.py` turns URLs and page text into normalised words; `model.py` trains and loads the
embedding model; `taxonomy.py` and `rules.py` read what the client configures; `profiles.py`
turns seed words into theme profiles over the model's vocabulary; `tagger.py` tags pages in
batches; `keywords.py` extracts the keywords of a page for keyword audiences.
"""
