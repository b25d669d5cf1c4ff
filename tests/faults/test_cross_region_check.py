"""The fault suite's cross-region check: an organization's id, team, marker or job found in the other
region's database or Redis is counted; the directory naming every team is not."""

from __future__ import annotations

import random
import uuid

from bench.faults.invariants import Dumps, Snapshot, check_cross_region
from bench.faults.load import LoadRecord, plan_orgs
from tests.support.faults import snapshot_of

REGIONS = ("us", "eu")
US_JOB = "3f3398b9-80e5-4837-95c3-81673ddbc048"
EU_JOB = "9b1c2d3e-80e5-4837-95c3-81673ddbc048"


def record() -> LoadRecord:
    plans = plan_orgs(2, "ab12", random.Random(1), REGIONS)
    for plan in plans:
        plan.org_id = uuid.uuid4()
    return LoadRecord(plans=plans, sent=[], approvals=[], schedules=[])


def snapshot(load: LoadRecord) -> Snapshot:
    us, eu = load.plans
    return snapshot_of(jobs={US_JOB: {"org_id": str(us.org_id)}, EU_JOB: {"org_id": str(eu.org_id)}})


def dumps(load: LoadRecord, *, us_redis: list[tuple[str, str]] | None = None) -> Dumps:
    us, eu = load.plans
    return Dumps(
        database={
            "us": [
                ("jobs", f"({US_JOB},{us.org_id},'{us.marker} t1 a poem')"),
                ("region_directory", f"({us.team_id},{us.org_id},us)"),
                ("region_directory", f"({eu.team_id},{eu.org_id},eu)"),
            ],
            "eu": [("jobs", f"({EU_JOB},{eu.org_id},'{eu.marker} t2 a poem')")],
        },
        redis={"us": us_redis or [], "eu": [(f"quota:{eu.org_id}:month", "12")]},
    )


def test_each_organization_in_its_own_region_holds() -> None:
    load = record()
    assert [plan.region for plan in load.plans] == ["us", "eu"]
    result = check_cross_region(REGIONS, snapshot(load), load, dumps(load))
    assert result.ok, result
    assert "us 1, eu 1" in result.summary


def test_an_eu_job_in_the_us_redis_is_counted() -> None:
    load = record()
    eu = load.plans[1]
    key = f"quota:{eu.org_id}:month"
    leaked = [("celery", f'{{"job_id": "{EU_JOB}"}}'), (key, key), (key, "12")]
    result = check_cross_region(REGIONS, snapshot(load), load, dumps(load, us_redis=leaked))
    assert result.figure == 2, result
    assert all(line.startswith("us redis") for line in result.lines), result.lines


def test_one_region_has_nothing_to_look_for() -> None:
    load = LoadRecord(plans=plan_orgs(2, "ab12", random.Random(1)), sent=[], approvals=[], schedules=[])
    for plan in load.plans:
        plan.org_id = uuid.uuid4()
    one = Dumps(database={"us": [("jobs", str(load.plans[1].org_id))]}, redis={"us": []})
    assert check_cross_region(("us",), snapshot(load), load, one).ok
