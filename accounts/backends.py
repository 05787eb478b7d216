from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .selectors import users_by_login_name


class UsernameOrEmailBackend(ModelBackend):
    """Logs in with a username or an email address, either in any letter case.

    Usernames cannot contain ``@``, so a login name with one is always an email.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        user_model = get_user_model()
        if username is None:
            username = kwargs.get(user_model.USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = users_by_login_name(username).first()
        if user is None:
            # Hash anyway so a missing account takes as long as a wrong password.
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
