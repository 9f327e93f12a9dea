"""The status vocabulary (urbanmon.status): code, word, colour, badge and order, defined once in Python."""


def model(dbt, session):
    dbt.config(materialized="table")
    import pyarrow as pa

    from urbanmon import status

    return pa.Table.from_pylist(status.vocabulary_rows())
