"""Progress of every indicator × area × year × milestone × method (urbanmon.assessment / urbanmon.progress)."""


def model(dbt, session):
    dbt.config(materialized="table")
    from urbanmon import assessment

    rows = assessment.progress_rows(
        assessment.relation_rows(dbt.ref("registry_indicators")),
        assessment.relation_rows(dbt.ref("registry_milestones")),
        assessment.relation_rows(dbt.ref("registry_areas")),
        assessment.relation_rows(dbt.ref("indicator_values")),
    )
    return assessment.to_arrow("progress", rows)
