"""
### train_semantic_model: a new word2vec model for the page tagger

Trains gensim Word2Vec on the corpus of page texts (`DMP_CORPUS`, one document per line: the
titles and URLs of the pages the platform has seen), saves it as a new version under
`DMP_MODEL_DIR` and makes it current. The next `audience_daily` run re-tags pages with it (the
page index records which model tagged each page).

Runs weekly, and on demand from the UI (Trigger DAG, optionally with `epochs` and `vector_size`).
The same from the command line: `dmp model train --corpus FILE`.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Asset, Param, dag, task

from dmp.settings import load

SETTINGS = load()
MODEL_ASSET = Asset(f"file://{SETTINGS.model_dir}/current", group="dmp")


@dag(
    dag_id="train_semantic_model",
    schedule="@weekly",
    start_date=dt.datetime.combine(SETTINGS.pipeline_start, dt.time(), tzinfo=dt.timezone.utc),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["dmp", "tagging", "model"],
    params={
        "epochs": Param(0, type="integer", minimum=0, maximum=100, description="passes over the corpus (0: automatic)"),
        "vector_size": Param(100, type="integer", minimum=10, maximum=1000, description="dimensions of word vectors"),
    },
    default_args={"owner": "dmp", "retries": 2, "retry_delay": dt.timedelta(minutes=5)},
)
def train_semantic_model():
    @task(outlets=[MODEL_ASSET])
    def train(params: dict | None = None, ts_nodash: str | None = None) -> dict:
        from dmp.tagging.model import TrainingParameters, publish, train_model

        parameters = TrainingParameters(epochs=int(params["epochs"]) or None, vector_size=int(params["vector_size"]))
        model = train_model(SETTINGS.corpus_file, SETTINGS.model_dir / f"w2v-{ts_nodash}", parameters)
        publish(SETTINGS.model_dir, model.path)
        print(f"model {model.version} is current: {model.metadata}")
        return model.metadata

    train()


train_semantic_model()
