"""The balancing rule (balancing.balance): property tests over random provinces."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from opentemis.cascade.balancing import Member, balance

SCHOOLS = [f"0001{c:04d}{s:04d}" for c in range(1, 4) for s in range(1, 4)]


def members(start: int) -> st.SearchStrategy[list[Member]]:
    one = st.builds(
        lambda i, path, subject, level: Member(i, path, subject, level),
        st.just(0),
        st.sampled_from(SCHOOLS),
        st.sampled_from([1, 2, 3, None]),
        st.sampled_from(["TH", "THCS", None]),
    )
    return st.lists(one, max_size=60).map(
        lambda items: [Member(start + n, m.path, m.subject, m.level) for n, m in enumerate(items)]
    )


@given(members(1), members(10_000), st.integers(1, 8), st.data())
def test_balance_keeps_the_invariants(
    learners: list[Member], cores: list[Member], max_per_core: int, data: st.DataObject
) -> None:
    load = {c.id: data.draw(st.integers(0, max_per_core)) for c in cores}
    before = dict(load)
    chosen = balance(learners, cores, load, max_per_core)
    by_id = {c.id: c for c in cores}
    counts = Counter(chosen.values())
    # Nobody past the maximum; the load returned is the load before plus what was given.
    for core in cores:
        assert before[core.id] + counts[core.id] == load[core.id] <= max_per_core
    # Each learner at most once (a dict), to a core teacher that exists.
    assert set(chosen) <= {m.id for m in learners}
    assert set(chosen.values()) <= set(by_id)
    # Everyone is assigned when there is room for everyone.
    room = sum(max_per_core - before[c.id] for c in cores)
    if room >= len(learners):
        assert len(chosen) == len(learners)
    else:
        assert len(chosen) == room  # every place is filled
    # Subject matched when possible: a learner given another subject's core teacher means
    # every core teacher of their subject is full.
    for learner in learners:
        core_id = chosen.get(learner.id)
        if learner.subject is None or core_id is None:
            continue
        if by_id[core_id].subject != learner.subject:
            same = [c for c in cores if c.subject == learner.subject]
            assert all(load[c.id] == max_per_core for c in same)


def test_the_same_school_first_then_the_commune() -> None:
    a1, a2, b1 = "000100010001", "000100010002", "000100020001"
    cores = [Member(100, a1, 1, "TH"), Member(101, b1, 1, "TH")]
    learners = [Member(1, a1, 1, "TH"), Member(2, a2, 1, "TH"), Member(3, b1, 1, "TH")]
    chosen = balance(learners, cores, {}, 30)
    assert chosen == {1: 100, 2: 100, 3: 101}


def test_subject_before_level_before_place() -> None:
    school = "000100010001"
    far = "000100090009"
    cores = [Member(100, school, 2, "TH"), Member(101, far, 1, "THCS"), Member(102, far, 1, "TH")]
    assert balance([Member(1, school, 1, "TH")], cores, {}, 30) == {1: 102}
    assert balance([Member(1, school, 1, "TH")], cores[:2], {}, 30) == {1: 101}
    assert balance([Member(1, school, 3, "TH")], cores[:2], {}, 30) == {1: 100}


def test_an_even_share_before_the_maximum() -> None:
    school = "000100010001"
    cores = [Member(100, school, 1, "TH"), Member(101, "000100010002", 1, "TH")]
    learners = [Member(i, school, 1, "TH") for i in range(1, 11)]
    chosen = balance(learners, cores, {}, 30)
    assert Counter(chosen.values()) == {100: 5, 101: 5}


def test_nobody_past_the_maximum_even_if_left_unassigned() -> None:
    cores = [Member(100, "000100010001", 1, "TH")]
    learners = [Member(i, "000100010001", 1, "TH") for i in range(1, 6)]
    load = {100: 1}
    chosen = balance(learners, cores, load, 3)
    assert len(chosen) == 2 and load == {100: 3}
