"""The site's URLs plus the benchmarks' baseline, a view that does nothing (``/bench/trivial``):
it costs the middleware, the session and the user, no view work, so a page's throughput is
judged against it on the same server. Only the bench settings (bench/settings.py) use this
module; production's URL conf (opentemis/urls.py) has no such route.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from opentemis.urls import handler400, handler403, handler404, handler500
from opentemis.urls import urlpatterns as site


def trivial(request: HttpRequest) -> HttpResponse:
    """A view that does nothing: the baseline for throughput benchmarks."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/trivial", trivial, name="trivial"),
    *site,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
