"""The Django admin, with the staff pages that apps add through ``hooks.admin_pages``.

``LearnFlowAdminConfig`` stands in for ``django.contrib.admin`` in ``INSTALLED_APPS`` and makes
``LearnFlowAdminSite`` the default site, so ``admin.site``, ``@admin.register`` and the throttled login
(``accounts.admin_login``) work as before.
"""

from functools import partial

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import path, reverse
from django.utils.text import slugify

from . import hooks


class LearnFlowAdminSite(admin.AdminSite):
    """Each registered page is served at ``/admin/<slug>/`` (URL name ``admin:<slug>``) to active
    staff only, like every admin view (others are sent to the login), and listed on the index."""

    index_template = "admin/learnflow/index.html"

    def get_urls(self):
        pages = [
            path(f"{slugify(title)}/", self.admin_view(partial(view, site=self)), name=slugify(title))
            for title, view in hooks.admin_pages.items()
        ]
        return pages + super().get_urls()

    def staff_pages(self) -> list[dict]:
        return [
            {"title": title, "url": reverse(f"{self.name}:{slugify(title)}", current_app=self.name)}
            for title, _ in hooks.admin_pages.items()
        ]

    def index(self, request, extra_context=None):
        return super().index(request, {"staff_pages": self.staff_pages(), **(extra_context or {})})


class LearnFlowAdminConfig(AdminConfig):
    default_site = "learnflow.admin_site.LearnFlowAdminSite"
