"""Staff pages of the admin that analytics adds (registered in ``AnalyticsConfig.ready()``)."""

from django.template.response import TemplateResponse
from django.urls import reverse

from .activity import DEFAULT_DAYS, MAX_DAYS


def activity_page(request, *, site):
    """Charts of the whole product's activity over a range of days. The page holds only the range
    form and empty canvases; ``activity.js`` reads the numbers from ``/api/admin/activity`` with the
    admin's session, so the page and the API can never disagree."""
    context = {
        **site.each_context(request),
        "title": "Activity",
        "api_url": reverse("admin-activity"),
        "start": request.GET.get("start", ""),
        "end": request.GET.get("end", ""),
        "default_days": DEFAULT_DAYS,
        "max_days": MAX_DAYS,
    }
    return TemplateResponse(request, "admin/analytics/activity.html", context)
