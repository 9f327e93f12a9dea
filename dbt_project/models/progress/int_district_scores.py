"""The district league table per year (urbanmon.league, weights in its docstring)."""


def model(dbt, session):
    dbt.config(materialized="table")
    from urbanmon import assessment

    rows = assessment.score_rows(
        assessment.relation_rows(dbt.ref("registry_indicators")),
        assessment.relation_rows(dbt.ref("registry_areas")),
        assessment.relation_rows(dbt.ref("indicator_values")),
        assessment.relation_rows(dbt.ref("int_indicator_progress")),
    )
    return assessment.to_arrow("scores", rows)
