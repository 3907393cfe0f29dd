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
    train.add_argument("--init-vectors", type=Path, metavar="FILE",
                       help="a word2vec/fastText vector file (.vec text or .bin): the corpus words it knows keep its vectors")
    train.set_defaults(func=_train)
    imported = model_actions.add_parser("import", help="make a word2vec/fastText vector file (.vec or .bin) the model")
    imported.add_argument("vectors", type=Path, metavar="FILE")
    imported.add_argument("--corpus", type=Path, help="pages or texts, one per line, that theme profiles learn from "
                          "(without one, profiles rest on the seed words and the vectors alone)")
    imported.add_argument("--out", type=Path, help="model folder (default: a new version under DMP_MODEL_DIR, made current)")
    imported.set_defaults(func=_import)

    tag = subparsers.add_parser("tag", help="tag pages with themes")
    tag_actions = tag.add_subparsers(dest="action", required=True, metavar="ACTION")
    url = tag_actions.add_parser("url", help="print theme, score and source for each URL")
    url.add_argument("urls", nargs="+", metavar="URL")
    _tagger_options(url)
    url.set_defaults(func=_tag_urls)
    evaluate = tag_actions.add_parser("evaluate", help="accuracy, macro-F1, coverage on labelled TSVs (url, label[, title])")
    evaluate.add_argument("--labeled", type=Path, required=True, action="append",
                          help="a labelled TSV; give it again for more sets (each is reported, then all together). "
                               "Rows with an empty url are tagged from their title")
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
    model = train_model(args.corpus, out, parameters, init_vectors=args.init_vectors)
    if args.out is None:
        publish(settings.model_dir, model.path)
    _print_model(model, args.out is None, settings)
    return 0


def _import(args: argparse.Namespace) -> int:
    import datetime as dt

    from dmp.tagging.model import import_model, publish

    settings = settings_module.load()
    out = args.out or settings.model_dir / f"imported-{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S}"
    model = import_model(args.vectors, out, args.corpus)
    if args.out is None:
        publish(settings.model_dir, model.path)
    _print_model(model, args.out is None, settings)
    return 0


def _print_model(model, published: bool, settings) -> None:
    meta = model.metadata
    print(f"model {meta['version']}: {meta['documents']:,} documents, {meta['tokens']:,} words, "
          f"vocabulary {meta['vocabulary']:,}, {meta['seconds']} s, in {model.path}"
          + (f" (now {settings.model_dir / 'current'})" if published else ""))


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
    from dmp.tagging.evaluate import combine, evaluate, format_report, read_labeled

    tagger = _tagger(args)
    descriptions = {theme.name: theme.description for theme in tagger.taxonomy.themes}
    sets = [read_labeled(path, tagger.taxonomy.names) for path in args.labeled]  # all read before any is tagged
    reports = {}
    for path, pages in zip(args.labeled, sets):
        reports[str(path)] = evaluate(tagger, pages, use_titles=args.use_titles)
        print(f"== {path}" if len(sets) > 1 else "", format_report(reports[str(path)], descriptions), sep="\n"
              if len(sets) > 1 else "")
    if len(sets) > 1:
        reports["all"] = evaluate(tagger, combine(sets), use_titles=args.use_titles)
        print("== all sets together", format_report(reports["all"], descriptions), sep="\n")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(reports if len(sets) > 1 else reports[str(args.labeled[0])], indent=2) + "\n")
    return 0
