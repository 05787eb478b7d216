"""The admin's login page, guarded like the API's login against password guessing."""

import logging
import math

from django.contrib import admin
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from .throttling import AdminLoginUsernameThrottle, LoginIPThrottle

logger = logging.getLogger(__name__)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def admin_login(request, extra_context=None):
    """``/admin/login/`` counts each sign-in attempt in the same budgets as the API's login: per
    client address (``login_ip``) and per account (``login_username``, shared with the token view,
    so alternating doors buys no extra guesses). Past either, the attempt is not checked and the
    answer is a 429 page with ``Retry-After``. Every failed or throttled attempt is logged as a
    warning with the name typed and the client address, never the password."""
    if request.method != "POST":
        return admin.site.login(request, extra_context)
    throttles = [LoginIPThrottle(), AdminLoginUsernameThrottle()]
    # Every throttle counts the attempt, as DRF's own check does, before any refusal.
    waits = [throttle.wait() for throttle in throttles if not throttle.allow_request(request, None)]
    username = request.POST.get("username", "")[:150]
    client = throttles[0].get_ident(request)
    if waits:
        logger.warning("Throttled admin login for %r from %s", username, client)
        return _throttled(request, max((wait or 0) for wait in waits))
    response = admin.site.login(request, extra_context)
    if response.status_code == 200:
        logger.warning("Failed admin login for %r from %s", username, client)
    return response


def _throttled(request, wait: float) -> TemplateResponse:
    minutes = max(1, math.ceil(wait / 60))
    context = {
        **admin.site.each_context(request),
        "title": "Too many sign-in attempts",
        "minutes": minutes,
    }
    response = TemplateResponse(request, "accounts/admin_login_throttled.html", context, status=429)
    response["Retry-After"] = str(max(1, math.ceil(wait)))
    return response
