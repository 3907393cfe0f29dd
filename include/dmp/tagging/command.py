"""`dmp model train` and `dmp tag url|evaluate`: the semantic engine from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from dmp import settings as settings_module
from dmp.tagging.training import DEFAULT_TRAINING, USER_PARAMETERS


def register(subparsers: argparse._SubParsersAction) -> None:
    model = subparsers.add_parser("model", help="the word2vec model of the semantic tagger")
    model_actions = model.add_subparsers(dest="action", required=True, metavar="ACTION")
    train = model_actions.add_parser("train", help="train a model on a text corpus (one document per line)")
    train.add_argument("--corpus", type=Path, required=True, help="plain text, one document per line, any language")
    train.add_argument("--out", type=Path, help="model folder (default: a new version under DMP_MODEL_DIR, made current)")
    train.add_argument("--epochs", type=int, help="passes over the corpus (default: more for small corpora, at least 5)")
    train.add_argument("--vector-size", type=int, help=f"dimensions of word vectors (default {DEFAULT_TRAINING.vector_size})")
    train.add_argument("--window", type=int, help=f"words of context on each side (default {DEFAULT_TRAINING.window})")
    train.add_argument("--min-count", type=int, help=f"rarer words are left out (default {DEFAULT_TRAINING.min_count})")
    train.set_defaults(func=_train)

    tag = subparsers.add_parser("tag", help="tag pages with themes")
    tag_actions = tag.add_subparsers(dest="action", required=True, metavar="ACTION")
    url = tag_actions.add_parser("url", help="print theme, score and source for each URL")
    url.add_argument("urls", nargs="+", metavar="URL")
    _tagger_options(url)
    url.set_defaults(func=_tag_urls)
    evaluate = tag_actions.add_parser("evaluate", help="accuracy, macro-F1, coverage on a labelled TSV (url, label[, title])")
    evaluate.add_argument("--labeled", type=Path, required=True)
    evaluate.add_argument("--use-titles", action="store_true", help="score titles too, not only URLs")
    evaluate.add_argument("--json", type=Path, help="also write the report as JSON to this file")
    _tagger_options(evaluate)
    evaluate.set_defaults(func=_evaluate)


def _tagger_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, help="model folder (default: DMP_MODEL_DIR/current)")
    parser.add_argument("--taxonomy", type=Path, help="taxonomy YAML (default: DMP_TAXONOMY)")
    parser.add_argument("--rules", type=Path,
                        help="manual rules YAML (default: DMP_RULES when it exists, and none with --taxonomy)")


def _rules_file(args: argparse.Namespace, settings) -> Path | None:
    """The rules to apply: rules belong with the taxonomy they were written for, so the default
    rules (DMP_RULES, written for DMP_TAXONOMY) do not apply to a taxonomy given with --taxonomy."""
    if args.rules is not None or args.taxonomy is None:
        return args.rules or settings.rules_file
    print(f"no manual rules: --taxonomy {args.taxonomy} was given without --rules (the default rules are "
          "written for DMP_TAXONOMY's themes); pass --rules FILE to apply rules", file=sys.stderr)
    return None


def _tagger(args: argparse.Namespace):
    from dmp.tagging.tagger import Tagger

    settings = settings_module.load()
    return Tagger.load(
        args.model or settings.model_dir / "current",
        args.taxonomy or settings.taxonomy_file,
        _rules_file(args, settings),
    )


def _train(args: argparse.Namespace) -> int:
    import datetime as dt

    from dmp.tagging.model import publish, train_model

    settings = settings_module.load()
    parameters = DEFAULT_TRAINING.with_given(**{name: getattr(args, name) for name in USER_PARAMETERS})
    out = args.out or settings.model_dir / f"w2v-{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S}"
    model = train_model(args.corpus, out, parameters)
    if args.out is None:
        publish(settings.model_dir, model.path)
    meta = model.metadata
    print(f"model {meta['version']}: {meta['documents']:,} documents, {meta['tokens']:,} words, "
          f"vocabulary {meta['vocabulary']:,}, {meta['seconds']} s, in {model.path}"
          + ("" if args.out else f" (now {settings.model_dir / 'current'})"))
    return 0


def _tag_urls(args: argparse.Namespace) -> int:
    tagger = _tagger(args)
    for tag in tagger.tag(args.urls):
        ancestors = tagger.taxonomy.ancestors(tag.theme)
        parents = f"parent {' > '.join(ancestors)}" if ancestors else ""
        detail = f"runner-up {tag.runner_up} {tag.runner_up_score:.2f}" if tag.runner_up else ""
        reason = f"reason {tag.reason}" if tag.reason else ""
        print(f"{tag.url}\t{tag.theme}\t{tag.score:.2f}\t{tag.source}\t{parents}\t{detail}\t{reason}".rstrip())
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from dmp.tagging.evaluate import evaluate, format_report, read_labeled

    tagger = _tagger(args)
    report = evaluate(tagger, read_labeled(args.labeled, tagger.taxonomy.names), use_titles=args.use_titles)
    print(format_report(report, {theme.name: theme.description for theme in tagger.taxonomy.themes}))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0
