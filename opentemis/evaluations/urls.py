from django.urls import URLPattern, URLResolver, include, path

from opentemis.evaluations import views, views_waiting

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.evaluation_home, name="evaluation_home"),
    path("me/", views.evaluation_me, name="evaluation_me"),
    path("group/", views.group_opinions, name="group_opinions"),
    path("queue/", views_waiting.review_queue_page, name="review_queue"),
    path("cycles/new/", views.cycle_new, name="cycle_new"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("cycles/<int:pk>/finish/", views.cycle_finish, name="cycle_finish"),
    path("school/<int:unit_pk>/", views.school_roster, name="evaluation_school"),
    path("<int:pk>/", views.evaluation_detail, name="evaluation_detail"),
    path("<int:pk>/self/", views.evaluation_self, name="evaluation_self"),
    path("<int:pk>/autosave/", views.evaluation_autosave, name="evaluation_autosave"),
    path("<int:pk>/evidence/", views.evaluation_evidence, name="evaluation_evidence"),
    path("<int:pk>/review/", views.evaluation_review, name="evaluation_review"),
    path("<int:pk>/preview/", views.rating_preview, name="evaluation_preview"),
    path("<int:pk>/acknowledge/", views.evaluation_acknowledge, name="evaluation_acknowledge"),
    path("<int:pk>/reopen/", views.evaluation_reopen, name="evaluation_reopen"),
    path("<int:pk>/poll/", views.poll, name="evaluation_poll"),
    path("print/", include("opentemis.evaluations.urls_print")),
    path("paper/", include("opentemis.evaluations.urls_paper")),
]
