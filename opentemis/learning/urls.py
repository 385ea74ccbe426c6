from django.urls import URLPattern, URLResolver, path

from opentemis.learning import views, views_colleagues

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.mine, name="learning_mine"),
    path("colleagues/", views_colleagues.colleagues, name="learning_colleagues"),
    path("courses/<int:pk>/", views.course, name="learning_course"),
    path("activities/<int:pk>/", views.activity, name="learning_activity"),
    path("manage/", views.courses, name="learning_courses"),
    path("manage/new/", views.course_create, name="learning_course_create"),
    path("manage/import/", views.course_import, name="learning_course_import"),
    path("courses/<int:pk>/manage/", views.course_manage, name="learning_course_manage"),
    path("courses/<int:pk>/audience/", views.course_audience, name="learning_course_audience"),
    path("courses/<int:pk>/sections/", views.section_add, name="learning_section_add"),
    path("courses/<int:pk>/activities/", views.activity_add, name="learning_activity_add"),
    path("courses/<int:pk>/state/", views.course_state, name="learning_course_state"),
    path("courses/<int:pk>/sync/", views.course_sync, name="learning_course_sync"),
    path("courses/<int:pk>/deadlines/", views.course_deadline, name="learning_course_deadline"),
    path("courses/<int:pk>/graders/", views.course_grader, name="learning_course_grader"),
    path("courses/<int:pk>/export/", views.course_export, name="learning_course_export"),
    path("courses/<int:pk>/progress/", views.course_progress, name="learning_course_progress"),
]
