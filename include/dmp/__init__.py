"""dmp: an audience data platform for marketing.

Connection logs (user id, timestamp, URL) become per-user interests and audience segments:
pages are tagged with themes by word2vec proximity, events are stored in Cassandra, and Spark
computes aggregates, all orchestrated by Airflow. This package holds all of the logic; the DAGs
in `dags/`, the jobs in `spark_jobs/` and the CLI `dmp` only wire it together.
"""

__version__ = "0.1.0"
