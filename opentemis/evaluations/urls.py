from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("print/", include("opentemis.evaluations.urls_print")),
    path("paper/", include("opentemis.evaluations.urls_paper")),
]
