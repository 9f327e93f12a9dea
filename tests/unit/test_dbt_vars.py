"""The city code lives once in dbt (the `city_code` var) and once in Python (urbanmon.assessment.CITY_CODE)."""

import re
from pathlib import Path

import yaml

from urbanmon import assessment

DBT = Path(__file__).resolve().parents[2] / "dbt_project"


def test_city_code_var_equals_python_city_code():
    project = yaml.safe_load((DBT / "dbt_project.yml").read_text(encoding="utf-8"))
    assert str(project["vars"]["city_code"]) == assessment.CITY_CODE


def test_no_model_sql_writes_the_city_code_literally():
    # a literal drifts from the var; comments naming the city are fine, a quoted code in SQL is not
    literal = re.compile(r"'" + re.escape(assessment.CITY_CODE) + r"'")
    offenders = [str(p.relative_to(DBT)) for p in sorted((DBT / "models").rglob("*.sql"))
                 if literal.search(p.read_text(encoding="utf-8"))]
    assert not offenders, f"use '{{{{ var(\"city_code\") }}}}' instead of '{assessment.CITY_CODE}' in: {offenders}"
