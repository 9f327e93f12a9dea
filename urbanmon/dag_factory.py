"""Builds the Airflow DAGs from the feed specs: one ingest DAG per feed, one transform-validate-publish DAG.

Kept free of heavy imports (pandas, GX, pyarrow): the DAG processor parses this often.

Event flow::

    landing/<domain>/<file>  --LandingFileTrigger (AssetWatcher, triggerer)-->  asset landing__<feed>
      --> DAG ingest__<feed>: load every archived, unprocessed file; outlet asset raw__<feed>
      --> DAG transform_validate_publish (schedule = raw__<feed a> | raw__<feed b> | ...):
          dbt build -> GX on the marts -> atomic publish -> publish the operations record (always)
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG, Asset, AssetWatcher, task
from airflow.sdk.definitions.asset import AssetAny

from urbanmon.feeds.spec import FeedSpec, load_specs
from urbanmon.triggers import LandingFileTrigger

BUILD_POOL = "duckdb_build"  # one slot: only one task at a time writes the build database
DEFAULT_ARGS = {"owner": "data-engineering", "retries": 2, "retry_delay": dt.timedelta(seconds=5)}
TRANSFORM_DAG_ID = "transform_validate_publish"


def landing_asset(spec: FeedSpec) -> Asset:
    return Asset(
        name=f"landing__{spec.feed_id}",
        uri=f"urbanmon://landing/{spec.feed_id}",
        group="landing",
        watchers=[AssetWatcher(name=f"watch__{spec.feed_id}", trigger=LandingFileTrigger(feed_id=spec.feed_id))],
    )


def raw_asset(spec: FeedSpec) -> Asset:
    return Asset(name=f"raw__{spec.feed_id}", uri=f"urbanmon://raw/{spec.feed_id}", group="raw")


SERVING_ASSET = Asset(name="serving__warehouse", uri="urbanmon://serving/warehouse", group="serving")


def _run_id(context) -> str:
    return f"{context['dag'].dag_id}/{context['run_id']}"


def _on_failure(context) -> None:
    """A failed task still reaches the operations record, so failures show even when nothing was published."""
    from urbanmon import pipeline

    ti = context.get("task_instance")
    started = getattr(ti, "start_date", None) or dt.datetime.now(dt.UTC)
    try:
        pipeline.record_run(_run_id(context), ti.task_id if ti else "?", "failed", started,
                            str(context.get("exception", ""))[:4000], dag_id=context["dag"].dag_id)
        pipeline.publish_operations(_run_id(context))
    except Exception:  # the callback must never hide the original failure
        import logging

        logging.getLogger(__name__).exception("could not record the failure")


def build_ingest_dag(spec: FeedSpec) -> DAG:
    with DAG(
        dag_id=f"ingest__{spec.feed_id}",
        description=f"Load {spec.title_zh} ({spec.feed_id}) as files arrive",
        schedule=[landing_asset(spec)],
        start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        catchup=False,
        max_active_runs=1,
        default_args={**DEFAULT_ARGS, "on_failure_callback": _on_failure},
        tags=["ingest", spec.landing_subdir, spec.feed_id],
        doc_md=f"""
### Ingest `{spec.feed_id}` — {spec.title_zh}

Runs when the landing watcher has archived new files of this feed (asset `landing__{spec.feed_id}`; no cron).
Loads **every** archived file the ledger does not know yet — the files of all triggering events, and any left
from an interrupted run — checking each against the feed contract (`sources/{spec.feed_id}/feed.yaml`) and the
Great Expectations suite; a bad file is quarantined with the reason (file, line, column, rule) and the rest is
loaded in one transaction. Emits `raw__{spec.feed_id}`.
""",
    ) as dag:

        @task(outlets=[raw_asset(spec)], pool=BUILD_POOL, execution_timeout=dt.timedelta(minutes=20))
        def ingest(**context) -> dict:
            from urbanmon import pipeline
            from urbanmon.ingest import ingest_pending

            started = dt.datetime.now(dt.UTC)
            announced = []
            for events in context["triggering_asset_events"].values():
                for event in events:
                    payload = (event.extra or {}).get("payload") or {}
                    announced += [f["name"] for f in payload.get("files", [])]
            result = ingest_pending(spec.feed_id, run_id=_run_id(context))
            handled = set(result.loaded) | set(result.quarantined) | set(result.skipped) | set(result.superseded)
            missing = sorted(set(announced) - handled)
            if missing:
                raise RuntimeError(f"announced files not in the archive or ledger: {missing[:20]}")
            pipeline.record_run(
                _run_id(context), "ingest", "success", started,
                f"events announced {len(announced)} file(s); loaded {len(result.loaded)}, "
                f"quarantined {len(result.quarantined)}, superseded {len(result.superseded)}",
                dag_id=dag.dag_id,
            )
            return {k: v for k, v in result.as_dict().items() if k != "skipped"} | {"skipped": len(result.skipped)}

        ingest()
    return dag


def build_transform_dag(specs: list[FeedSpec]) -> DAG:
    with DAG(
        dag_id=TRANSFORM_DAG_ID,
        description="dbt build, Great Expectations on the marts, atomic publication of the serving snapshot",
        schedule=AssetAny(*[raw_asset(s) for s in specs]),
        start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        catchup=False,
        max_active_runs=1,
        default_args={**DEFAULT_ARGS, "on_failure_callback": _on_failure},
        tags=["transform", "publish"],
        doc_md="""
### Transform, validate, publish

Runs whenever any feed's raw asset is updated. Builds all dbt models in the private build database, validates the
serving tables with Great Expectations (a file that breaks a check is quarantined and the build redone without it),
then publishes a complete read-only snapshot to `data/serving/warehouse.duckdb` with an atomic rename. The
operations record (`data/serving/operations.duckdb`) is published at the end of every run, passed or failed.
""",
    ) as dag:

        @task(outlets=[SERVING_ASSET], pool=BUILD_POOL, execution_timeout=dt.timedelta(minutes=30))
        def build_validate_publish(**context) -> dict:
            from urbanmon import pipeline

            started = dt.datetime.now(dt.UTC)
            result = pipeline.transform_validate_publish(_run_id(context))
            pipeline.record_run(_run_id(context), "transform_validate_publish", "success", started,
                                f"snapshot {result['snapshot_id']}", dag_id=dag.dag_id)
            return result

        @task(pool=BUILD_POOL, trigger_rule="all_done", retries=3)
        def publish_operations(**context) -> str:
            from urbanmon import pipeline

            return pipeline.publish_operations(_run_id(context))

        build_validate_publish() >> publish_operations()
    return dag


REPORT_DRAFT_DAG_ID = "report_draft"


def build_report_draft_dag() -> DAG:
    with DAG(
        dag_id=REPORT_DRAFT_DAG_ID,
        description="A draft evaluation report once every feed the year needs has arrived and validated",
        schedule=[SERVING_ASSET],
        start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        catchup=False,
        max_active_runs=1,
        default_args={**DEFAULT_ARGS, "on_failure_callback": _on_failure},
        tags=["report"],
        doc_md="""
### Draft evaluation report

Runs whenever a new serving snapshot is published. For the latest assessed year it checks that every headline
indicator has Jinan's value in the snapshot (the snapshot holds only validated data, so a value there means its feed
arrived and passed its checks). When the year is complete it writes a draft report (PDF, DOCX) from the current
snapshot to `data/reports/drafts/draft-<edition>-<year>-<snapshot>/`, once per snapshot; otherwise it logs which
feeds are still missing. The final report is an editor's act: `make report YEAR=<year> EDITION=<edition> BY=<name>`
freezes the edition and issues the report from it (`urbanmon.reports`).
""",
    ) as dag:

        # reads only the published snapshot: no build-DB pool, so a draft never holds up the next build
        @task(execution_timeout=dt.timedelta(minutes=15))
        def prepare_draft(**context) -> dict:
            from urbanmon import reports

            result = reports.draft_if_complete()
            if not result["complete"]:
                import logging

                logging.getLogger(__name__).info("year %s not complete, no draft: %s", result["year"],
                                                 result["missing"])
            return result

        prepare_draft()
    return dag


def build_all() -> dict[str, DAG]:
    specs = list(load_specs().values())
    dags = {f"ingest__{s.feed_id}": build_ingest_dag(s) for s in specs}
    dags[TRANSFORM_DAG_ID] = build_transform_dag(specs)
    dags[REPORT_DRAFT_DAG_ID] = build_report_draft_dag()
    return dags
