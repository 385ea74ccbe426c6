"""The learning core's API routes (mounted under /api/v1/ by opentemis/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from opentemis.learning import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("learn/courses/", api.MyCoursesView.as_view(), name="learn-my-courses"),
    path("learn/courses/<int:pk>/", api.CourseDetailView.as_view(), name="learn-course"),
    path(
        "learn/courses/<int:pk>/progress/",
        api.CourseProgressView.as_view(),
        name="learn-course-progress",
    ),
    path("learn/courses/<int:pk>/sync/", api.CourseSyncView.as_view(), name="learn-course-sync"),
    path("learn/enrolments/<int:pk>/", api.EnrolmentView.as_view(), name="learn-enrolment"),
    path("learn/colleagues/", api.ColleaguesView.as_view(), name="learn-colleagues"),
]
