"""The platform's Airflow extensions: operators that delegate to the `dmp` package.

Airflow puts the plugins folder on `sys.path`, so DAGs import them as `dmp_airflow.<module>`.
"""
