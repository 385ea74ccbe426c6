"""Form downloads, mounted at /evaluations/print/. Each form has a PDF and an xlsx URL name
(``print_<form>_pdf``, ``print_<form>_xlsx``), as the templates link them."""

from collections.abc import Callable

from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, path

from opentemis.evaluations import views_print as views


def _both(route: str, view: Callable[..., HttpResponse], name: str) -> list[URLPattern]:
    return [
        path(f"{route}.pdf", view, {"fmt": "pdf"}, name=f"print_{name}_pdf"),
        path(f"{route}.xlsx", view, {"fmt": "xlsx"}, name=f"print_{name}_xlsx"),
    ]


urlpatterns: list[URLPattern | URLResolver] = [
    *_both("<int:pk>/bm1", views.bm1, "bm1"),
    *_both("<int:pk>/poll", views.poll_summary, "poll"),
    *_both("<int:pk>/result", views.superior_result, "result"),
    *_both("person/<int:person_pk>/bm2", views.bm2, "bm2"),
    *_both("group/<int:group_pk>/bm3", views.bm3, "bm3"),
    *_both("school/<int:unit_pk>/bm4", views.bm4, "bm4"),
    path("school/<int:unit_pk>/all/", views.print_all, name="print_school_all"),
]
