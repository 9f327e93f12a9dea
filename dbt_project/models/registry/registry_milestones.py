"""One row per indicator and milestone of the plan registry (registry/indicators.yaml)."""


def model(dbt, session):
    dbt.config(materialized="table")
    from urbanmon import registry

    return registry.to_arrow(registry.milestone_rows(registry.load()))
