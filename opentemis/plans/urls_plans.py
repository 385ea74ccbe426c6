"""The plans pages of the plans app (see urls.py): the personal plan (``ke-hoach/``) and its
approval (``duyet/``)."""

from django.urls import URLPattern, path

from opentemis.plans import views_plans as views

urlpatterns: list[URLPattern] = [
    path("ke-hoach/", views.plan_mine, name="plan_mine"),
    path("ke-hoach/<int:pk>/luu/", views.plan_save, name="plan_save"),
    path("ke-hoach/<int:pk>/them/", views.plan_item_add, name="plan_item_add"),
    path("ke-hoach/<int:pk>/dieu-chinh/", views.plan_change_request, name="plan_change_request"),
    path("ke-hoach/muc/<int:pk>/", views.plan_item_update, name="plan_item_update"),
    path("ke-hoach/muc/<int:pk>/xoa/", views.plan_item_remove, name="plan_item_remove"),
    path("duyet/", views.plan_approvals, name="plan_approvals"),
    path("duyet/han/", views.plan_deadline, name="plan_deadline"),
    path("duyet/<int:pk>/", views.plan_review, name="plan_review"),
    path("duyet/<int:pk>/phe-duyet/", views.plan_approve, name="plan_approve"),
    path("duyet/<int:pk>/tra-lai/", views.plan_return, name="plan_return"),
    path("duyet/yeu-cau/<int:pk>/", views.plan_change_decide, name="plan_change_decide"),
]
