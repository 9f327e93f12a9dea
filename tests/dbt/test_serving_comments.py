"""Every table and column of a serving snapshot published from the dbt build carries a COMMENT, from the same YAML
as docs/serving-schema.md (the serving models' and urbanmon/publication_tables.yml)."""

from __future__ import annotations

import duckdb

from tests.dbt.conftest import data_dir_env
from urbanmon import publish, schema_doc


def test_every_serving_table_and_column_has_a_comment(dbt_build, scratch):
    assert dbt_build.returncode == 0, dbt_build.output[-4000:]
    data = scratch / "data"
    with data_dir_env(data):
        target = data / "serving" / "warehouse.duckdb"
        publish.publish_snapshot(build_db=dbt_build.database, target=target)
        with duckdb.connect(str(target), read_only=True) as con:
            tables = con.execute(
                "select table_name, comment from duckdb_tables() where database_name = current_database() union all "
                "select view_name, comment from duckdb_views() where database_name = current_database() "
                "and not internal").fetchall()
            columns = con.execute(
                "select table_name, column_name, comment from duckdb_columns() "
                "where database_name = current_database()").fetchall()
            data_tables = con.execute("select data_tables from snapshot").fetchone()[0]
    names = {t for t, _ in tables}
    # the publication's own tables are there, and the data tables are the dbt serving models
    assert {"snapshot", "snapshot_files", "snapshot_history", "last_build", "files_waiting", "quarantine",
            "ops_files", "ops_runs", "ops_validations", "ops_feed_freshness", "evaluation_editions"} <= names
    assert set(data_tables) == set(schema_doc.served_models()[0]) & names and "indicator_values" in data_tables
    assert [t for t, comment in tables if not (comment or "").strip()] == []
    assert len(columns) > 300
    assert [(t, c) for t, c, comment in columns if not (comment or "").strip()] == []
    described = schema_doc.table_descriptions()
    assert dict((c, m) for t, c, m in columns if t == "indicator_values")["value"] == \
        described["indicator_values"][1]["value"]
