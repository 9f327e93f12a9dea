"""The planned year-by-year path of every indicator with targets (urbanmon.assessment.path_rows)."""


def model(dbt, session):
    dbt.config(materialized="table")
    from urbanmon import assessment

    rows = assessment.path_rows(
        assessment.relation_rows(dbt.ref("registry_indicators")),
        assessment.relation_rows(dbt.ref("registry_milestones")),
        assessment.relation_rows(dbt.ref("indicator_values")),
    )
    return assessment.to_arrow("path", rows)
