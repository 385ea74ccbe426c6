"""factory_boy factories. Unit creation goes through treebeard under the system scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from opentemis.accounts.models import RoleAssignment, User
from opentemis.core.scoping import system_scope
from opentemis.core.text import fold
from opentemis.orgs.models import SchoolLevel, SchoolYear, Unit
from opentemis.staff.ethnicities import is_minority
from opentemis.staff.models import Person, Position, Subject
from opentemis.staff.services import search_text_for

_counter = {"unit": 0}


def make_unit(
    name: str,
    *,
    parent: Unit | None = None,
    kind: str = "school",
    code: str | None = None,
    levels: tuple[str, ...] = (),
    disadvantaged_area: bool = False,
) -> Unit:
    _counter["unit"] += 1
    fields: dict[str, Any] = {
        "code": code or f"U{_counter['unit']:05d}",
        "name": name,
        "search_name": fold(name),
        "kind": kind,
        "disadvantaged_area": disadvantaged_area,
    }
    with system_scope():
        unit = (
            Unit.objects.add_root(fields)
            if parent is None
            else Unit.objects.add_child(Unit.objects.get(pk=parent.pk), fields)
        )
        if levels:
            unit.levels.set(SchoolLevel.objects.filter(code__in=levels))
    return unit


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    staff_code = factory.Sequence(lambda n: f"GV{n:07d}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thử {n}")
    gender = "M"
    date_of_birth = dt.date(1985, 5, 17)
    ethnicity = "01"
    qualification = "dai_hoc"

    @classmethod
    def _create(cls, model_class: type[Person], *args: Any, **kwargs: Any) -> Person:
        positions = kwargs.pop("positions", ["GV"])
        subjects = kwargs.pop("subjects", [])
        kwargs["is_dtts"] = is_minority(kwargs.get("ethnicity", "01"))
        kwargs["search_text"] = search_text_for(kwargs["full_name"], kwargs["staff_code"])
        with system_scope():
            person = model_class.objects.create(*args, **kwargs)
            person.positions.set(Position.objects.filter(code__in=positions))
            person.subjects.set(Subject.objects.filter(code__in=subjects))
        return person


def make_user(
    username: str,
    *,
    role: str | None = None,
    unit: Unit | None = None,
    person: Person | None = None,
    password: str = "Mat-khau-2025!",
    superuser: bool = False,
) -> User:
    if superuser:
        user = User.objects.create_superuser(username=username, password=password)
    else:
        user = User.objects.create_user(username=username, password=password, person=person)
    if role and unit is not None:
        RoleAssignment.objects.create(user=user, role=role, unit=unit)
    return user


def make_school_year(code: str = "2025-2026", current: bool = True) -> SchoolYear:
    start = int(code[:4])
    return SchoolYear.objects.create(
        code=code,
        start_date=dt.date(start, 9, 1),
        end_date=dt.date(start + 1, 8, 31),
        is_current=current,
    )
