"""The capacity model (bench/capacity.py): its arithmetic, and that the measured costs cover
every request type the stated journeys and the cluster mixes use."""

from __future__ import annotations

import json
import math

import pytest

from bench import capacity as cap

COSTS = {
    "a": cap.Cost(app_ms=10.0, db_ms=2.0),
    "b": cap.Cost(app_ms=4.0, db_ms=1.0),
    "sign_in": cap.Cost(app_ms=60.0, db_ms=4.0),
}
JOURNEYS = {
    "one": cap.Journey("one", {"a": 2, "b": 10}, minutes=10, source="test"),
    "two": cap.Journey("two", {"sign_in": 1, "a": 1}, minutes=5, source="test"),
}


def _peak(people: float = 1_200_000, share: float = 0.5) -> cap.Peak:
    return cap.Peak(
        name="test",
        people=cap.Assumption(people, "test"),
        share_acting_last_days=cap.Assumption(share, "test"),
        last_days=cap.Assumption(3, "test"),
        sessions_per_person=cap.Assumption(1.5, "test"),
        peak_hour_share=cap.Assumption(0.15, "test"),
        journeys={"one": 0.75, "two": 0.25},
    )


def test_session_rate_is_the_busiest_hours_share_of_a_last_day() -> None:
    # 1.2 M x 50 % x 1.5 sessions over 3 days = 300,000 a day; 15 % in one hour.
    assert cap.session_rate(_peak()) == pytest.approx(300_000 * 0.15 / 3600)


def test_request_rates_weigh_each_journey_by_its_share() -> None:
    rate = cap.session_rate(_peak())
    rates = cap.request_rates(_peak(), JOURNEYS)
    assert rates["a"] == pytest.approx(rate * (0.75 * 2 + 0.25 * 1))
    assert rates["b"] == pytest.approx(rate * 0.75 * 10)
    assert rates["sign_in"] == pytest.approx(rate * 0.25)


def test_concurrency_is_littles_law() -> None:
    rate = cap.session_rate(_peak())
    expected = rate * (0.75 * 600 + 0.25 * 300)
    assert cap.concurrency(_peak(), JOURNEYS) == pytest.approx(expected)


def test_plan_turns_busy_cores_into_nodes_at_the_target_utilisation() -> None:
    machines = cap.Machines(cores_per_node=4, target_utilisation=0.5, load_factor=1.0)
    result = cap.plan(_peak(), JOURNEYS, COSTS, machines)
    rates = cap.request_rates(_peak(), JOURNEYS)
    busy = sum(rates[k] * COSTS[k].app_ms / 1000 for k in rates)
    assert result.app_cores_busy == pytest.approx(busy)
    assert result.nodes == max(2, math.ceil(busy / 0.5 / 4))
    assert result.requests_per_s == pytest.approx(sum(rates.values()))


def test_plan_doubles_the_cores_when_the_costs_double() -> None:
    machines = cap.Machines(load_factor=1.0)
    doubled = {k: cap.Cost(c.app_ms * 2, c.db_ms * 2) for k, c in COSTS.items()}
    once = cap.plan(_peak(), JOURNEYS, COSTS, machines)
    twice = cap.plan(_peak(), JOURNEYS, doubled, machines)
    assert twice.app_cores == pytest.approx(2 * once.app_cores)
    assert twice.db_cores_busy == pytest.approx(2 * once.db_cores_busy)


def test_plan_keeps_two_nodes_and_a_replica_for_a_small_load() -> None:
    result = cap.plan(_peak(people=100), JOURNEYS, COSTS, cap.Machines())
    assert result.nodes == 2
    assert result.replicas == 1


def test_replicas_take_only_the_reads_they_may_answer() -> None:
    machines = cap.Machines(load_factor=1.0, target_utilisation=1.0, db_cores_per_machine=1)
    heavy = cap.plan(_peak(people=50_000_000), JOURNEYS, COSTS, machines, frozenset({"a"}))
    rates = cap.request_rates(_peak(people=50_000_000), JOURNEYS)
    assert heavy.db_cores_replica_ok == pytest.approx(rates["a"] * 2.0 / 1000)
    assert heavy.replicas == math.ceil(heavy.db_cores_replica_ok)
    assert heavy.db_cores == pytest.approx(heavy.db_cores_busy)  # at 100 % utilisation
    assert heavy.db_cores_primary == pytest.approx(heavy.db_cores_busy - heavy.db_cores_replica_ok)


def test_scale_to_concurrency_reaches_the_target() -> None:
    scaled = cap.scale_to_concurrency(_peak(), JOURNEYS, 146_000)
    assert cap.concurrency(scaled, JOURNEYS) == pytest.approx(146_000)


def test_predict_grows_with_nodes_until_the_database_binds() -> None:
    mix = {"a": 1, "b": 1}  # 7 ms app, 1.5 ms DB per request
    one = cap.predict(nodes=1, cores_per_node=2, mix=mix, costs=COSTS, db_cores=2, load_factor=1)
    assert one.bound == "application nodes"
    assert one.requests_per_s == pytest.approx(2000 / 7)
    two = cap.predict(nodes=2, cores_per_node=2, mix=mix, costs=COSTS, db_cores=2, load_factor=1)
    assert two.requests_per_s == pytest.approx(2 * one.requests_per_s)
    many = cap.predict(nodes=20, cores_per_node=2, mix=mix, costs=COSTS, db_cores=2, load_factor=1)
    assert many.bound == "database"
    assert many.requests_per_s == pytest.approx(2000 / 1.5)


def test_predict_on_shared_cores_does_not_grow_with_nodes() -> None:
    mix = {"a": 1}
    shared = [
        cap.predict(
            nodes=n,
            cores_per_node=2,
            mix=mix,
            costs=COSTS,
            db_cores=2,
            shared_cores=2,
            load_factor=1.3,
        ).requests_per_s
        for n in (1, 2, 3)
    ]
    assert shared[0] == pytest.approx(2000 / (12 * 1.3))
    assert shared[1] == shared[2] == shared[0]


def test_database_size_grows_linearly_with_years_and_people() -> None:
    tables = {"t": {"bytes": 1_000_000, "rows": 2000}}  # 500 bytes a row
    growth = (cap.Growth("t", 10, "test"),)
    one = cap.database_size(
        people=1000, years=1, tables=tables, base_bytes_per_person=100, growth=growth
    )
    assert one["per_year"] == pytest.approx(1000 * 10 * 500)
    three = cap.database_size(
        people=1000, years=3, tables=tables, base_bytes_per_person=100, growth=growth
    )
    assert three["total"] == pytest.approx(100_000 + 3 * 5_000_000)


def test_a_row_of_a_small_table_is_estimated_from_its_mean_size() -> None:
    tables = {"few": {"bytes": 8192 * 3, "rows": 10, "indexes": 2, "mean_row": 100}}
    expected = (100 + cap.TUPLE_OVERHEAD) * cap.FREE_SPACE + 2 * cap.INDEX_ENTRY
    assert cap.bytes_per_row(tables, "few") == pytest.approx(expected)
    assert cap.bytes_per_row(tables, "absent") == cap.DEFAULT_ROW_BYTES


def test_every_unverified_assumption_says_so() -> None:
    for peak in cap.PEAKS.values():
        for assumption in (
            peak.people,
            peak.share_acting_last_days,
            peak.last_days,
            peak.sessions_per_person,
            peak.peak_hour_share,
        ):
            assert assumption.source
        assert sum(peak.journeys.values()) == pytest.approx(1)
    assert cap.PEOPLE.verified
    assert not cap.PEAKS["module_deadline"].peak_hour_share.verified


def test_the_measured_costs_cover_every_journey_and_mix() -> None:
    data = json.loads(cap.COSTS_JSON.read_text(encoding="utf-8"))
    for hasher in ("pbkdf2", "argon2id"):
        costs = cap.with_sign_in(cap.costs_from(data), hasher)
        used = {k for j in cap.JOURNEYS.values() for k in j.requests}
        used |= {k for mix in cap.MIXES.values() for k in mix}
        used |= set(cap.RUSH_STEPS.values())
        assert used <= set(costs), used - set(costs)
        for key in used:
            assert costs[key].app_ms > 0
            assert costs[key].db_ms > 0
        assert data["costs"]["test_answer"]["n"] >= 30


def test_a_cluster_rush_is_compared_with_its_own_mix() -> None:
    costs = {
        key: cap.Cost(app_ms=9.0, db_ms=3.0)
        for key in ("test_start", "test_answer", "test_finish", "video_progress_api")
    }
    rush = {
        "runs": {
            "2": {
                "nodes": 2,
                "requests_per_s": 150.0,
                "machine_cpu_s": 30.0,
                "steps": {"start": {"n": 100}, "save": {"n": 1000}, "submit": {"n": 100}},
            },
            "1": {
                "nodes": 1,
                "requests_per_s": 100.0,
                "steps": {"start": {"n": 10}, "save": {"n": 100}, "video": {"n": 10}},
            },
        }
    }
    checks = cap.check_rush(
        rush, costs, cores_per_node=2, db_cores=2, shared_cores=None, load_factor=1.0
    )
    assert [c.nodes for c in checks] == [1, 2]
    assert cap.rush_mix(rush["runs"]["1"]["steps"]) == {
        "test_start": 10,
        "test_answer": 100,
        "video_progress_api": 10,
    }
    assert checks[0].predicted.requests_per_s == pytest.approx(2000 / 9)
    assert checks[1].predicted.requests_per_s == pytest.approx(4000 / 9)
    assert checks[1].machine_cpu_ms == pytest.approx(30_000 / 1200)
    assert "| 2 | 444.4 | application nodes | 150.0 | 0.34 |" in cap.rush_table(checks, 1.0)
