"""Data migrations that repair rows stored before a rule existed."""

import importlib

import pytest
from django.apps import apps

from community.models import Group
from community.tests.factories import group_with

pytestmark = pytest.mark.django_db


def test_group_images_breaking_the_url_rule_are_cleared_and_the_others_kept(user):
    # given: images stored before groups' images followed the URL rule
    migration = importlib.import_module("community.migrations.0007_group_image_url_rule")
    unsafe = []
    for image in ["javascript:alert(1)", "data:image/png;base64,AAAA", "file:///etc/passwd"]:
        group = group_with(leader=user)
        Group.objects.filter(pk=group.pk).update(image=image)
        unsafe.append(group)
    kept = {group_with(leader=user, image=image).pk: image for image in ["/groups/g.png", "https://e.example/g", ""]}
    # when
    migration.clear_unsafe_group_images(apps, None)
    # then
    assert set(Group.objects.filter(pk__in=[g.pk for g in unsafe]).values_list("image", flat=True)) == {""}
    assert dict(Group.objects.filter(pk__in=kept).values_list("pk", "image")) == kept
