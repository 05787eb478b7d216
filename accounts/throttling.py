"""Brute-force protection for login: attempts are counted per client IP and per login name."""

import hashlib

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle


class LoginIPThrottle(AnonRateThrottle):
    scope = "login_ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginUsernameThrottle(SimpleRateThrottle):
    """Counts attempts against one account, whichever IPs they come from."""

    scope = "login_username"

    def get_cache_key(self, request, view):
        try:
            name = request.data.get("username")
        except AttributeError:
            return None
        if not isinstance(name, str) or not name.strip():
            return None
        ident = hashlib.sha256(name.strip().lower().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


class RegisterThrottle(AnonRateThrottle):
    scope = "register"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
