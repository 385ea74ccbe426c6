"""Background work of the learning core (Django Tasks, the database backend by default)."""

from __future__ import annotations

from django_tasks import task

from opentemis.learning import services
from opentemis.learning.models import Course


@task()
def enrol_course(course_id: int) -> dict[str, int]:
    """Apply course ``course_id``'s audience rule (after it opened or its audience changed):
    a national course enrols a million people, which is no work for a request."""
    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        return {"added": 0, "left": 0, "back": 0}
    return services.enrol_sync(course=course)


@task()
def enrol_all() -> dict[str, int]:
    """Every open course's audience applied (the nightly run: staff changed during the day)."""
    return services.enrol_sync_all()
