"""The plan registry's indicators (registry/indicators.yaml), validated by urbanmon.registry: a broken registry
fails this model, so the build fails and nothing is published."""


def model(dbt, session):
    dbt.config(materialized="table")
    from urbanmon import registry

    return registry.to_arrow(registry.catalog_rows(registry.load()))
