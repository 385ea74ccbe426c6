"""`manage.py learning sync [--course PK] | status --course PK`.

* ``sync``: apply the audience rule of one course, or of every open course (run it nightly:
  staff move, retire, join; a person gone from the audience keeps their progress, marked as no
  longer in it). The same as the ``enrol_all`` task.
* ``status``: a course's learners by state, and per required activity how many have done it.

Whoever runs a command administers the server: it works in the system scope.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from opentemis.core.scoping import system_scope
from opentemis.learning import services
from opentemis.learning.models import ActivityProgress, Course, Enrolment


class Command(BaseCommand):
    help = "Courses: apply audience rules (nightly), or count a course's learners by state."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        sync = actions.add_parser("sync", help="apply the audience rule of one or every course")
        sync.add_argument("--course", type=int, help="a course's id (default: every open one)")
        status = actions.add_parser("status", help="a course's learners by state")
        status.add_argument("--course", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        with system_scope():
            course = None
            if options.get("course"):
                course = Course.objects.filter(pk=options["course"]).first()
                if course is None:
                    raise CommandError(f"no course {options['course']}")
            if options["action"] == "sync":
                counts = services.enrol_sync(course=course) if course else services.enrol_sync_all()
                self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
                return
            assert course is not None
            states = dict(
                Enrolment.objects.filter(course=course)
                .values("status")
                .annotate(n=Count("pk"))
                .values_list("status", "n")
            )
            self.stdout.write(f"{course.code} {course.title}")
            for state, n in sorted(states.items()):
                self.stdout.write(f"  {state}: {n}")
            for activity in course.activities.filter(required=True).order_by("position"):
                done = ActivityProgress.objects.filter(
                    activity=activity, state__in=("complete", "passed")
                ).count()
                self.stdout.write(f"  {activity.title}: {done} done")
