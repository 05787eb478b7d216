"""The one rule for every URL a user gives LearnFlow (avatars, group images, resource links)."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.deconstruct import deconstructible

_http_url = URLValidator(schemes=["http", "https"])


@deconstructible
class WebURLValidator:
    """A URL is an ``http(s)`` URL or, where ``allow_site_path``, a path on this site such as
    ``/avatars/avatar-1.png``. Every other scheme (``javascript:``, ``data:``, ``file:`` ...) is
    refused, and so are protocol-relative URLs (``//host``), spaces, backslashes (browsers read
    ``/\\host`` as ``//host``) and control characters: what a browser is given to load or follow
    can only be a web page or this site's own."""

    def __init__(self, *, allow_site_path: bool = True):
        self.allow_site_path = allow_site_path

    def __call__(self, value: str) -> None:
        if value.lower().startswith("data:"):
            instead = "the image's URL or path" if self.allow_site_path else "a link to it"
            raise ValidationError(f"Data URLs are not accepted: send {instead} instead.")
        if any(c.isspace() or c == "\\" or ord(c) < 32 or ord(c) == 127 for c in value):
            raise ValidationError("A URL cannot contain spaces, backslashes or control characters.")
        if self.allow_site_path and value.startswith("/") and not value.startswith("//"):
            return
        try:
            _http_url(value)
        except ValidationError:
            expected = "an http(s) URL or a path starting with “/”" if self.allow_site_path else "an http(s) URL"
            raise ValidationError(f"Enter {expected}.") from None

    def __eq__(self, other):
        return isinstance(other, WebURLValidator) and other.allow_site_path == self.allow_site_path


validate_web_url = WebURLValidator()
