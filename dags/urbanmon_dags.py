"""Airflow DAGs of the platform, generated from the feed specs in sources/ (see urbanmon.dag_factory)."""

from urbanmon.dag_factory import build_all

for _dag_id, _dag in build_all().items():
    globals()[_dag_id] = _dag
