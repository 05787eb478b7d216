"""Brute-force protection for login: attempts are counted per client IP and per account.

The client IP is ``REMOTE_ADDR`` unless ``DJANGO_NUM_PROXIES`` says how many proxies in front of
LearnFlow append to ``X-Forwarded-For``; an unset value never trusts the header, so a client cannot
pick a fresh "IP" per request. Like every LearnFlow throttle they count atomically (see
``learnflow.throttling``): twenty guesses sent at once against a limit of ten get ten answers.
"""

import hashlib

from learnflow.throttling import AtomicAnonRateThrottle, AtomicRateThrottle

from .selectors import users_by_login_name


class LoginIPThrottle(AtomicAnonRateThrottle):
    scope = "login_ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginUsernameThrottle(AtomicRateThrottle):
    """Counts attempts against one account, whichever IPs they come from and whether they name it
    by username or by email. A name that matches no account is counted as typed."""

    scope = "login_username"

    def login_name(self, request):
        """The account name the attempt gives (the token view's JSON ``username``)."""
        try:
            return request.data.get("username")
        except AttributeError:
            return None

    def get_cache_key(self, request, view):
        name = self.login_name(request)
        if not isinstance(name, str) or not name.strip():
            return None
        name = name.strip()
        # A NUL cannot be in any account name (and PostgreSQL refuses it in a query).
        account = None if "\x00" in name else users_by_login_name(name).values_list("pk", flat=True).first()
        ident = f"user-{account}" if account else hashlib.sha256(name.lower().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AdminLoginUsernameThrottle(LoginUsernameThrottle):
    """The admin's login form counts against the same per-account budget as the API's login."""

    def login_name(self, request):
        return request.POST.get("username")


class RegisterThrottle(AtomicAnonRateThrottle):
    scope = "register"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
