"""Shared test world: two provinces, three actors (style.md).

officer_a: unit officer of province A (Sở A); principal_a1: principal of school A1 (in A);
principal_b1: principal of school B1 in province B. Every list/detail/export/API test checks
that B cannot see A.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from opentemis.core.scoping import system_scope
from tests.factories import PersonFactory, make_school_year, make_unit, make_user


def pytest_configure(config: Any) -> None:
    from django.conf import settings
    from hypothesis import settings as hypothesis_settings

    # Property tests judge rules, not speed: CI's machine is shared and 2-core, so a per-example
    # time limit only makes them flaky (speed is measured by `make bench`).
    hypothesis_settings.register_profile("opentemis", deadline=None)
    hypothesis_settings.load_profile("opentemis")

    # Background tasks run inline in tests (the database queue needs a worker process).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Hashed static names need collectstatic's manifest; tests read the sources as they are.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    }
    # Cheap stand-ins with the production algorithm names, in the production order (a test world
    # makes many users). The tests of the real parameters and of the upgrade at sign-in use
    # opentemis.settings.PASSWORD_HASHERS, the list as written (accounts/tests/test_hashing.py).
    stand_ins = {
        "Argon2idPasswordHasher": "tests.hashers.FastArgon2idPasswordHasher",
        "PBKDF2PasswordHasher": "tests.hashers.FastPBKDF2PasswordHasher",
    }
    settings.PASSWORD_HASHERS = [
        stand_ins.get(h.rsplit(".", 1)[1], h) for h in settings.PASSWORD_HASHERS
    ]


@pytest.fixture(autouse=True)
def _reference_data_after_a_flush(request: Any) -> None:
    """A transactional test (``django_db(transaction=True)``) flushes every table when it ends,
    the rows of data migrations included; the next one loads them again, as migrate did (the
    browser tests do the same in their conftest)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    import importlib

    from django.apps import apps

    from opentemis.staff.models import Position
    from opentemis.staff.reference import load_reference_data

    if not Position.objects.exists():
        load_reference_data(apps, None)
        rules = importlib.import_module(
            "opentemis.evaluations.migrations.0002_default_evaluator_rules"
        )
        rules.forwards(apps, None)


@dataclass
class World:
    nation: Any
    province_a: Any
    commune_a: Any
    school_a1: Any
    school_a2: Any
    province_b: Any
    school_b1: Any
    officer_a: Any
    principal_a1: Any
    principal_b1: Any
    teacher_a1: Any
    person_a1: Any
    person_a2: Any
    person_b1: Any
    year: Any

    def client_for(self, user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """The cache (local memory in tests) holds the sign-in failure counters: no test inherits
    another's failures."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


def build_world() -> World:
    """The three-actor world (module docstring); for fixtures of a wider scope too."""
    nation = make_unit("Bộ Giáo dục và Đào tạo", kind="ministry", code="BGD")
    province_a = make_unit("Sở GD&ĐT Tỉnh An", parent=nation, kind="department", code="SA")
    commune_a = make_unit("Xã Hòa An", parent=province_a, kind="commune", code="SA-X1")
    school_a1 = make_unit(
        "Trường Tiểu học Hòa An", parent=commune_a, kind="school", code="SA-TH1", levels=("TH",)
    )
    school_a2 = make_unit(
        "Trường THCS Hòa An",
        parent=commune_a,
        kind="school",
        code="SA-THCS1",
        levels=("THCS",),
        disadvantaged_area=True,
    )
    province_b = make_unit("Sở GD&ĐT Tỉnh Bình", parent=nation, kind="department", code="SB")
    school_b1 = make_unit(
        "Trường THPT Bình Minh", parent=province_b, kind="school", code="SB-THPT1", levels=("THPT",)
    )
    principal_person_a1 = PersonFactory(
        unit=school_a1, full_name="Trần Thị Hiệu", staff_code="HTA1", gender="F", positions=["HT"]
    )
    principal_person_b1 = PersonFactory(
        unit=school_b1, full_name="Lê Văn Bình", staff_code="HTB1", positions=["HT"]
    )
    person_a1 = PersonFactory(
        unit=school_a1, full_name="Nguyễn Văn An", staff_code="GVA1", subjects=["TH"]
    )
    person_a2 = PersonFactory(
        unit=school_a2,
        full_name="Hoàng Thị Đào",
        staff_code="GVA2",
        gender="F",
        ethnicity="02",
        subjects=["TOAN"],
    )
    person_b1 = PersonFactory(
        unit=school_b1, full_name="Phạm Minh Đức", staff_code="GVB1", subjects=["LY"]
    )
    return World(
        nation=nation,
        province_a=province_a,
        commune_a=commune_a,
        school_a1=school_a1,
        school_a2=school_a2,
        province_b=province_b,
        school_b1=school_b1,
        officer_a=make_user("officer_a", role="unit_officer", unit=province_a),
        principal_a1=make_user(
            "principal_a1", role="principal", unit=school_a1, person=principal_person_a1
        ),
        principal_b1=make_user(
            "principal_b1", role="principal", unit=school_b1, person=principal_person_b1
        ),
        teacher_a1=make_user("teacher_a1", role="teacher", unit=school_a1, person=person_a1),
        person_a1=person_a1,
        person_a2=person_a2,
        person_b1=person_b1,
        year=make_school_year(),
    )


@pytest.fixture
def system() -> Any:
    """Run the test body in the system scope (for service and selector unit tests)."""
    with system_scope():
        yield


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language. A request activates its language for the
    thread (core/locale.py) and nothing resets it, so a test calling a service after another
    test's API call in English would otherwise read English messages (order-dependent)."""
    translation.deactivate()
    yield
    translation.deactivate()
