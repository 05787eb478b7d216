"""Extension points that lower layers offer and higher apps fill in their ``AppConfig.ready()``.

Each registry is an ordered list of named callables, so the whole set of contributors is visible
in the apps' ``ready()`` methods instead of hiding in scattered signal receivers.
"""

from collections.abc import Callable, Iterator
from typing import Any


class Registry:
    """Named callables in registration order; registering a name twice keeps the first."""

    def __init__(self, purpose: str):
        self.purpose = purpose
        self._items: dict[str, Callable[..., Any]] = {}

    def register(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        self._items.setdefault(name, func)
        return func

    def get(self, name: str) -> Callable[..., Any] | None:
        return self._items.get(name)

    def items(self) -> Iterator[tuple[str, Callable[..., Any]]]:
        return iter(list(self._items.items()))

    def __len__(self) -> int:
        return len(self._items)


#: ``func(*, user) -> JSON-able`` — a section of ``export_user_data``.
user_data_exporters = Registry("user data export")

#: ``func(*, user) -> None`` — runs inside the account deletion's transaction, before the user row is
#: deleted: an app settles what the cascade alone would leave wrong (hands roles over, corrects
#: counters, closes up ranks). Lower apps' handlers run first (the order of ``INSTALLED_APPS``).
user_deletion_handlers = Registry("user deletion")

#: ``func(*, user_ids, rng) -> int`` — adds demo rows for a batch of new demo users (in the batch's
#: transaction, after the seeders of lower apps), returns a count. Data an app derives (totals,
#: streaks, points) is derived by that app's own services, in bulk, by its seeder.
demo_seeders = Registry("demo data")

#: ``func(*, dry_run=False, stdout=None) -> None`` — installs defaults (schedules, challenges ...).
default_installers = Registry("defaults")

#: ``func(*, user) -> int`` — the current value of an achievement requirement type, by its name
#: (``total_sessions``, ``community_posts`` ...). An app provides the metrics it owns.
achievement_metrics = Registry("achievement metric")

#: ``func(*, user_ids) -> dict[user_id, int]`` — the same metric for many users at once (a user
#: absent reads 0), for bulk checks; a metric without one is counted one user at a time.
achievement_metrics_many = Registry("achievement metric (many users)")

#: ``func(*, users) -> {user_id: {key: value}}`` — figures of a public profile an app owns (verified
#: minutes, sessions, streaks, achievements ...), for several users in a fixed number of queries.
public_stats_providers = Registry("public profile stats")

#: ``func(*, viewer) -> Q`` on users — among owners whose ``profile_visibility`` is ``groups``, those
#: who count ``viewer`` in their audience (community: they share an active group).
profile_audiences = Registry("profile audience")

#: ``view(request, *, site) -> HttpResponse`` — a staff page of the admin, by its title (``Activity``):
#: served at ``/admin/<slug>/`` behind the admin's login and linked from the admin index
#: (``learnflow.admin_site``).
admin_pages = Registry("admin page")

#: ``func(*, path) -> int | None`` — the largest file a multipart upload to ``path`` may carry, or
#: ``None`` when ``path`` takes no upload. ``RequestBodyLimitMiddleware`` lets such a body through up
#: to that size (plus room for the multipart framing) instead of ``LEARNFLOW_MAX_BODY_BYTES``.
upload_limits = Registry("upload size limit")

#: ``func(*, names) -> set[str]`` registered under the prefix of the stored objects an app owns
#: (``avatars/``): which of ``names`` (object names under that prefix) its rows still refer to. The
#: orphan sweeper (``learnflow.files.orphans_sweep``) deletes the others once they are old enough, so
#: prefixes never overlap, and an app stores nothing under its prefix that no row refers to.
stored_object_owners = Registry("stored object owner")
