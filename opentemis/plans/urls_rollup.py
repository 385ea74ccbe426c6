"""The rollup pages of the plans app (see urls.py): the roll-up of a unit's BDTX plans, the
school plan and the school plans a superior receives."""

from django.urls import URLPattern, path

from opentemis.plans import views_rollup

urlpatterns: list[URLPattern] = [
    path("tong-hop/", views_rollup.rollup_home, name="plans_rollup_home"),
    path("tong-hop/<int:unit>/", views_rollup.rollup_unit, name="plans_rollup"),
    path("truong/", views_rollup.school_home, name="plans_school_home"),
    path("truong/<int:unit>/", views_rollup.school_plan, name="plans_school"),
    path(
        "truong/<int:unit>/hoat-dong/", views_rollup.school_activity, name="plans_school_activity"
    ),
    path("truong/<int:unit>/bao-cao/", views_rollup.school_report, name="plans_school_report"),
    path("ke-hoach-truong/<int:unit>/", views_rollup.school_plans, name="plans_school_plans"),
]
