"""District outlines as SVG paths for the board's offline map (urbanmon.board.district_shape_rows)."""


def model(dbt, session):
    dbt.config(materialized="table")
    import pyarrow as pa

    from urbanmon.board import district_shape_rows

    return pa.Table.from_pylist(district_shape_rows())
