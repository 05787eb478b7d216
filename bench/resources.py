"""Benchmark: resource libraries at scale.

1. A folder tree's contents (what a folder delete or move reads): the recursive query of
   ``community.resources.subtree`` vs walking the tree one level per query.
2. The first page of ``GET /api/resources/all`` for a member of GROUPS groups, each holding
   PER_GROUP resources in folders, vs the same page for a user with a small library: the page
   should cost about the same however large the libraries are.

Creates its rows once (users bench-res-*) and reuses them on later runs. Run against PostgreSQL
(DATABASE_URL) for meaningful figures; compare the ratios, measured in one run:

    .venv/bin/python bench/resources.py --groups 20 --per-group 5000
"""

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnflow.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402

from accounts.models import User  # noqa: E402
from community.choices import ResourceType, Role  # noqa: E402
from community.models import Group, Membership, Resource  # noqa: E402
from community.resources import subtree  # noqa: E402
from learnflow.benchmarking import report, timed  # noqa: E402
from learnflow.testing import client_for  # noqa: E402

PREFIX = "bench-res-"
FANOUT = 4  # subfolders per folder in the deep tree
DEPTH = Resource.FOLDER_DEPTH


def _user(name: str) -> User:
    user, _ = User.objects.get_or_create(
        username=f"{PREFIX}{name}", defaults={"email": f"{PREFIX}{name}@bench.invalid", "password": make_password(None)}
    )
    return user


def prepare_tree(owner: User) -> Resource:
    """A personal tree DEPTH folders deep: each folder has FANOUT subfolders down to the third level,
    then a single chain, and three links in every folder."""
    root = Resource.objects.filter(uploaded_by=owner, title="bench root").first()
    if root is not None:
        return root
    root = Resource.objects.create(uploaded_by=owner, title="bench root", resource_type=ResourceType.FOLDER)
    level, rows = [root], []
    for depth in range(2, DEPTH + 1):
        fanout = FANOUT if depth <= 3 else 1
        children = [
            Resource(uploaded_by=owner, parent_folder=parent, title=f"d{depth}", resource_type=ResourceType.FOLDER)
            for parent in level
            for _ in range(fanout)
        ]
        Resource.objects.bulk_create(children)
        rows += [
            Resource(uploaded_by=owner, parent_folder=folder, title="link", resource_type="link", url="https://e.x/")
            for folder in children
            for _ in range(3)
        ]
        level = children
    Resource.objects.bulk_create(rows, batch_size=5000)
    return root


def walk_levels(root: Resource) -> list:
    """The same answer as ``subtree``, one query per level (only folders have children)."""
    found = [(root.pk, root.resource_type, root.uploaded_by_id, 1)]
    frontier, level = [root.pk], 2
    while frontier:
        children = Resource.objects.filter(parent_folder__in=frontier, is_deleted=False)
        rows = list(children.values_list("pk", "resource_type", "uploaded_by_id"))
        found += [(*row, level) for row in rows]
        frontier = [pk for pk, kind, _ in rows if kind == ResourceType.FOLDER]
        level += 1
    return found


def prepare_libraries(groups: int, per_group: int) -> tuple[User, User]:
    """``big`` belongs to ``groups`` groups of ``per_group`` resources each (in folders of 50);
    ``small`` to one group with 30 resources."""
    big, small = _user("big"), _user("small")
    if Membership.objects.filter(user=big).count() != groups or not Membership.objects.filter(user=small).exists():
        Group.objects.filter(creator__username__startswith=PREFIX).delete()
        for n in range(groups):
            group = Group.objects.create(group_name=f"bench group {n}", creator=big)
            Membership.objects.create(group=group, user=big, role=Role.LEADER)
            folders = Resource.objects.bulk_create(
                Resource(uploaded_by=big, group=group, title=f"f{i}", resource_type=ResourceType.FOLDER)
                for i in range(per_group // 50)
            )
            Resource.objects.bulk_create(
                (
                    Resource(
                        uploaded_by=big,
                        group=group,
                        parent_folder=folders[i % len(folders)],
                        title=f"r{i}",
                        resource_type=ResourceType.LINK,
                        url=f"https://example.com/{i}",
                    )
                    for i in range(per_group - len(folders))
                ),
                batch_size=5000,
            )
            print(f"  created group {n + 1} / {groups}", flush=True)
        group = Group.objects.create(group_name="bench small", creator=small)
        Membership.objects.create(group=group, user=small, role=Role.LEADER)
        Resource.objects.bulk_create(
            Resource(uploaded_by=small, group=group, title=f"s{i}", resource_type="link", url="https://e.x/")
            for i in range(30)
        )
    return big, small


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--per-group", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    root = prepare_tree(_user("tree"))
    assert sorted(subtree(root)) == sorted(walk_levels(root))
    tree = {
        "recursive": timed(lambda: subtree(root), args.requests, warm_up=True),
        "level walk": timed(lambda: walk_levels(root), args.requests, warm_up=True),
    }
    report(f"folder tree: {len(subtree(root))} resources, {DEPTH} levels", tree)
    speedup = statistics.fmean(tree["level walk"]) / statistics.fmean(tree["recursive"])
    print(f"  the recursive query is {speedup:.1f}x faster")

    big, small = prepare_libraries(args.groups, args.per_group)
    pages = {}
    for name, user in (("big library", big), ("small library", small)):
        client = client_for(user)
        pages[name] = timed(lambda c=client: c.get("/api/resources/all", secure=True), args.requests, warm_up=True)
    report(f"first page of /api/resources/all: {args.groups * args.per_group} resources vs 30", pages)
    ratio = statistics.fmean(pages["big library"]) / statistics.fmean(pages["small library"])
    print(f"  a page of the big library costs {ratio:.2f}x a page of the small one")


if __name__ == "__main__":
    main()
