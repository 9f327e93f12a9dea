"""The league table's per-indicator level and improvement scores (urbanmon.league), the components of
int_district_scores."""


def model(dbt, session):
    dbt.config(materialized="table")
    from urbanmon import assessment

    components: list[dict] = []
    assessment.score_rows(
        assessment.relation_rows(dbt.ref("registry_indicators")),
        assessment.relation_rows(dbt.ref("registry_areas")),
        assessment.relation_rows(dbt.ref("indicator_values")),
        assessment.relation_rows(dbt.ref("int_indicator_progress")),
        components=components,
    )
    return assessment.to_arrow("score_components", components)
