"""Shapes of the learning core's API (``learning/api.py``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class CourseSerializer(serializers.Serializer[object]):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    title = serializers.CharField()
    programme = serializers.CharField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=1)
    school_year = serializers.CharField(source="school_year.code")
    wave = serializers.CharField()
    status = serializers.CharField()
    due = serializers.DateField(allow_null=True)


class CardSerializer(serializers.Serializer[object]):
    """A course of the caller's, with their progress."""

    course = CourseSerializer()
    enrolment = serializers.IntegerField(source="enrolment.pk")
    status = serializers.CharField(source="enrolment.status")
    done = serializers.IntegerField()
    required_count = serializers.IntegerField(source="required")
    due = serializers.DateField(allow_null=True)
    completed_at = serializers.DateTimeField(source="enrolment.completed_at", allow_null=True)


class CourseActivitySerializer(serializers.Serializer[object]):
    id = serializers.IntegerField(source="activity.pk")
    kind = serializers.CharField(source="activity.kind")
    title = serializers.CharField(source="activity.title")
    is_required = serializers.BooleanField(source="activity.required")
    pass_required = serializers.BooleanField(source="activity.pass_required")
    state = serializers.CharField(help_text="'' (not started), started, complete, passed, failed")
    score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    url = serializers.CharField(help_text="The learner's page")
    locked_by = serializers.SerializerMethodField()

    def get_locked_by(self, line: object) -> list[int]:
        return [a.pk for a in getattr(line, "locked_by", [])]


class CourseSectionSerializer(serializers.Serializer[object]):
    title = serializers.CharField(source="section.title")
    activities = CourseActivitySerializer(many=True, source="lines")


class MissingActivitySerializer(serializers.Serializer[object]):
    activity = serializers.IntegerField()
    title = serializers.CharField()
    state = serializers.CharField()
    needs_pass = serializers.BooleanField()


class CourseCompletionSerializer(serializers.Serializer[object]):
    complete = serializers.BooleanField()
    done = serializers.IntegerField()
    required_count = serializers.IntegerField()
    missing = MissingActivitySerializer(many=True)


class OutlineSerializer(serializers.Serializer[object]):
    course = CourseSerializer()
    enrolment = serializers.IntegerField(allow_null=True)
    due = serializers.DateField(allow_null=True)
    sections = CourseSectionSerializer(many=True)
    completion = CourseCompletionSerializer(allow_null=True)


class UnitRowSerializer(serializers.Serializer[object]):
    unit = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    enrolled = serializers.IntegerField()
    not_started = serializers.IntegerField()
    started = serializers.IntegerField()
    completed = serializers.IntegerField()


class FunnelSerializer(serializers.Serializer[object]):
    activity = serializers.IntegerField()
    title = serializers.CharField()
    done = serializers.IntegerField()
    stuck = serializers.IntegerField()


class CourseProgressSerializer(serializers.Serializer[object]):
    course = serializers.IntegerField()
    unit = serializers.IntegerField()
    total = UnitRowSerializer()
    children = UnitRowSerializer(many=True)
    funnel = FunnelSerializer(many=True)


class SyncSerializer(serializers.Serializer[object]):
    added = serializers.IntegerField()
    left = serializers.IntegerField()
    back = serializers.IntegerField()


class NeedSerializer(serializers.Serializer[object]):
    text = serializers.CharField()
    url = serializers.CharField(help_text=_("Where to act (empty: nothing to open)."))


class ColleagueCourseSerializer(serializers.Serializer[object]):
    course = serializers.IntegerField(source="enrolment.course_id")
    title = serializers.CharField(source="enrolment.course.title")
    status = serializers.CharField(source="enrolment.status")
    started = serializers.DateTimeField(source="enrolment.started_at", allow_null=True)
    done = serializers.IntegerField(source="enrolment.done_count")
    required_count = serializers.IntegerField(source="enrolment.required_count")
    due = serializers.DateField(allow_null=True)
    last_seen = serializers.DateTimeField(source="enrolment.last_seen_at", allow_null=True)
    needs = NeedSerializer(many=True)


class ColleagueSerializer(serializers.Serializer[object]):
    person = serializers.IntegerField(source="caseload.learner_id")
    name = serializers.CharField(source="caseload.learner.full_name")
    unit = serializers.CharField(source="caseload.learner.unit.name")
    last_seen = serializers.DateTimeField(allow_null=True)
    needs = NeedSerializer(many=True)
    courses = ColleagueCourseSerializer(many=True)
