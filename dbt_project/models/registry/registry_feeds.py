"""Every feed: those with a spec under sources/ and those the plan registry names without one
(urbanmon.freshness.feed_catalogue), for indicator_coverage."""


def model(dbt, session):
    dbt.config(materialized="table")
    import pyarrow as pa

    from urbanmon import freshness

    schema = pa.schema([("feed_id", pa.string()), ("has_spec", pa.bool_()), ("title_zh", pa.string()),
                        ("release_frequency", pa.string()), ("is_named_by_registry", pa.bool_())])
    return pa.Table.from_pylist(freshness.feed_catalogue(), schema=schema)
