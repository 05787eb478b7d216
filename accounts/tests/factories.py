import factory

from accounts.choices import NotificationKind, UploadPurpose
from accounts.models import Notification, Upload, User

DEFAULT_PASSWORD = "correct-Horse-battery-7"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password(DEFAULT_PASSWORD)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    kind = NotificationKind.SYSTEM
    title = factory.Faker("sentence", nb_words=4)
    body = factory.Faker("sentence")


class UploadFactory(factory.django.DjangoModelFactory):
    """An upload row (its objects are not written: enough for what only reads rows)."""

    class Meta:
        model = Upload

    user = factory.SubFactory(UserFactory)
    purpose = UploadPurpose.RESOURCE
    object_name = factory.Sequence(lambda n: f"uploads/test/{n:08d}.pdf")
    size = 1000
    content_type = "application/pdf"
    original_name = factory.Sequence(lambda n: f"notes {n}.pdf")
