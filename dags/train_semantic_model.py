"""
### train_semantic_model: a new word2vec model for the page tagger

Trains gensim Word2Vec on the corpus of page texts (`DMP_CORPUS`, one document per line: the
titles and URLs of the pages the platform has seen), saves it as a new version under
`DMP_MODEL_DIR` and makes it current. The next `audience_daily` run re-tags pages with it (the
page index records which model tagged each page).

Runs weekly, and on demand from the UI (Trigger DAG, optionally with `vector_size`, `window`,
`min_count` and `epochs`; their defaults are `dmp model train`'s). The same from the command line:
`dmp model train --corpus FILE`.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Asset, Param, dag, task

from dmp.settings import load
from dmp.tagging.training import DEFAULT_TRAINING, USER_PARAMETERS

# Parse-time settings only where Airflow needs them at parse time: the asset's URI and the start
# date are stored with the DAG. The task reads its corpus and model folder when it runs.
PARSE_SETTINGS = load()
MODEL_ASSET = Asset(f"file://{PARSE_SETTINGS.model_dir}/current", group="dmp")


@dag(
    dag_id="train_semantic_model",
    schedule="@weekly",
    start_date=dt.datetime.combine(PARSE_SETTINGS.pipeline_start, dt.time(), tzinfo=dt.timezone.utc),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["dmp", "tagging", "model"],
    params={
        "vector_size": Param(DEFAULT_TRAINING.vector_size, type="integer", minimum=10, maximum=1000,
                             description="dimensions of word vectors"),
        "window": Param(DEFAULT_TRAINING.window, type="integer", minimum=1, maximum=20,
                        description="words of context on each side"),
        "min_count": Param(DEFAULT_TRAINING.min_count, type="integer", minimum=1, maximum=1000,
                           description="words seen fewer times are left out"),
        "epochs": Param(DEFAULT_TRAINING.epochs, type=["null", "integer"], minimum=1, maximum=100,
                        description="passes over the corpus (empty: more for small corpora, at least 5)"),
    },
    default_args={"owner": "dmp", "retries": 2, "retry_delay": dt.timedelta(minutes=5)},
)
def train_semantic_model():
    @task(outlets=[MODEL_ASSET])
    def train(params: dict | None = None, ts_nodash: str | None = None) -> dict:
        from dmp.tagging.model import publish, train_model

        settings = load()
        parameters = DEFAULT_TRAINING.with_given(**{name: params.get(name) for name in USER_PARAMETERS})
        model = train_model(settings.corpus_file, settings.model_dir / f"w2v-{ts_nodash}", parameters)
        publish(settings.model_dir, model.path)
        print(f"model {model.version} is current: {model.metadata}")
        return model.metadata

    train()


train_semantic_model()
