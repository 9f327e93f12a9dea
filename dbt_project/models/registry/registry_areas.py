"""Jinan, its 12 county-level divisions and the functional zones of the plan (registry/areas.yaml)."""


def model(dbt, session):
    dbt.config(materialized="table")
    from urbanmon import registry

    return registry.to_arrow(registry.area_rows(registry.load()))
