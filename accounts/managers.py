from django.contrib.auth.models import BaseUserManager


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, username: str, email: str, password: str | None, **extra):
        if not username:
            raise ValueError("A username is required.")
        if not email:
            raise ValueError("An email is required.")
        user = self.model(username=self.model.normalize_username(username), email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, username: str, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(username, email, password, **extra)

    def create_superuser(self, username: str, email: str, password: str | None = None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(username, email, password, **extra)

    def get_by_natural_key(self, username: str):
        return self.get(username__iexact=username)
