"""Root URLs: the admin (its login throttled like the API's), ``/health/``, ``/files/<token>`` (signed
file links), the OpenAPI docs and one router for every app under ``/api/``."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from accounts.admin_login import admin_login
from accounts.api import urls as accounts_urls
from analytics.api import urls as analytics_urls
from challenges.api import urls as challenges_urls
from community.api import urls as community_urls
from focus.api import urls as focus_urls
from learnflow.benchmarking import ceiling
from learnflow.exceptions import api_not_found
from learnflow.files import file_download
from learnflow.health import health
from learnflow.routers import OptionalSlashRootRouter, api_path, by_first_segment
from tasks.api import urls as tasks_urls

API_URL_MODULES = (accounts_urls, tasks_urls, community_urls, focus_urls, challenges_urls, analytics_urls)

router = OptionalSlashRootRouter()
for module in API_URL_MODULES:
    router.registry.extend(module.router.registry)

# Every API pattern in the order Django tries them; served grouped by first segment (the same answers,
# fewer regexes tried per request: learnflow.routers.by_first_segment).
api_urlpatterns_in_order = [
    api_path("schema", SpectacularAPIView.as_view(), name="schema"),
    api_path("docs", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    api_path("redoc", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    *(pattern for module in API_URL_MODULES for pattern in module.urlpatterns),
    *router.urls,
    re_path(r"", api_not_found),
]
api_urlpatterns = by_first_segment(api_urlpatterns_in_order)

urlpatterns = [
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    re_path(r"^health/?$", health, name="health"),
    # Signed, short-lived links to stored files (file system storage; learnflow.files).
    path("files/<str:token>", file_download, name="file-download"),
    re_path(r"^api/", include(api_urlpatterns)),
]
if settings.LEARNFLOW_BENCH_CEILING:
    # The HTTP benchmark's ceiling (bench/http/run.py): its server alone sets LEARNFLOW_BENCH_CEILING.
    urlpatterns.append(path("bench/ceiling", ceiling, name="bench-ceiling"))

handler400 = "learnflow.exceptions.handler400"
handler404 = "learnflow.exceptions.handler404"
handler500 = "learnflow.exceptions.handler500"
