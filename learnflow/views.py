"""View pieces every app shares."""

from django.core.exceptions import ImproperlyConfigured


class OwnedQuerysetMixin:
    """The queryset starts from what the caller owns (``owned_queryset``), so another user's object is
    simply not found: a 404, never a 403. While the OpenAPI schema is generated there is no caller,
    and the view answers an empty queryset of ``owned_model``."""

    owned_model = None

    def owned_queryset(self, user):
        raise ImproperlyConfigured(f"{type(self).__name__} must say which rows its caller owns")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.owned_model.objects.none()
        return self.owned_queryset(self.request.user)
