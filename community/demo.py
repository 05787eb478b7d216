"""Demo data that community contributes to ``seed_demo``: study groups of about eight users, forum
posts with comments and likes (their counters match the rows), and personal and group resources
with some progress."""

from datetime import timedelta

from django.utils import timezone

from learnflow import bulk

from .choices import GroupType, PostCategory, ProgressStatus, ResourceType, Role, Visibility
from .models import Comment, Group, Membership, Post, PostLike, Resource, ResourceProgress

GROUP_SIZE = 8
_SUBJECTS = ("Calculus", "Organic chemistry", "Spanish", "Algorithms", "European history", "Physics", "Statistics")
_POSTS = (
    ("How do you stay focused after lunch?", PostCategory.QUESTION),
    ("My 50/10 pomodoro routine", PostCategory.STUDY_TIPS),
    ("Finished my first 30-day streak!", PostCategory.MOTIVATION),
    ("Great free lecture series on linear algebra", PostCategory.RESOURCES),
)
_LINKS = (
    {"title": "Lecture recording", "resource_type": ResourceType.VIDEO, "url": "https://video.example.com/lecture"},
    {"title": "Course page", "resource_type": ResourceType.LINK, "url": "https://course.example.com"},
    {"title": "Formula sheet", "resource_type": ResourceType.FILE, "url": "https://files.example.com/formulas.pdf"},
    {"title": "Diagram of the week", "resource_type": ResourceType.IMAGE, "url": "https://img.example.com/d.png"},
)


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def seed_groups(*, user_ids, rng) -> int:
    """One group per eight users: the first is its leader, one more an admin."""
    groups, memberships = [], []
    for members in _chunks(list(user_ids), GROUP_SIZE):
        if len(members) < 2:
            break
        group = Group(
            group_name=f"{rng.choice(_SUBJECTS)} study circle",
            description="We meet online most evenings.",
            group_type=rng.choice(list(GroupType)),
            visibility=Visibility.PRIVATE if rng.random() < 0.3 else Visibility.PUBLIC,
            creator_id=members[0],
        )
        groups.append(group)
        roles = [Role.LEADER, Role.ADMIN] + [Role.MEMBER] * (len(members) - 2)
        memberships += [Membership(group=group, user_id=u, role=r) for u, r in zip(members, roles, strict=True)]
    bulk.copy_objects(groups)
    bulk.copy_objects(memberships)
    return len(groups)


def seed_forum(*, user_ids, rng) -> int:
    """Up to three posts from each of about two thirds of the users, each with a few comments and likes."""
    user_ids = list(user_ids)
    posts, comments, likes = [], [], []
    for user_id in (u for u in user_ids for _ in range(rng.choice((0, 0, 1, 1, 2, 3)))):
        title, category = rng.choice(_POSTS)
        post = Post(author_id=user_id, title=title, content=f"{title} Tell me what works for you.", category=category)
        for commenter in rng.sample(user_ids, k=min(len(user_ids), rng.randint(0, 3))):
            comments.append(Comment(post=post, author_id=commenter, content="Thanks for sharing this!"))
            post.comment_count += 1
        for liker in rng.sample(user_ids, k=min(len(user_ids), rng.randint(0, 6))):
            likes.append(PostLike(post=post, user_id=liker))
            post.likes += 1
        posts.append(post)
    bulk.copy_objects(posts)
    bulk.copy_objects(comments)
    bulk.copy_objects(likes)
    return len(posts)


def seed_resources(*, user_ids, rng) -> int:
    """Two personal links per user, a folder of links in each of their groups led by them, and
    progress on some of them."""
    now = timezone.now()
    resources, tracked = [], []
    led = dict(Membership.objects.filter(user_id__in=user_ids, role=Role.LEADER).values_list("user_id", "group_id"))
    for user_id in user_ids:
        mine = [Resource(uploaded_by_id=user_id, **link) for link in rng.sample(_LINKS, 2)]
        if user_id in led:
            folder = Resource(
                uploaded_by_id=user_id, group_id=led[user_id], title="Week 1", resource_type=ResourceType.FOLDER
            )
            mine.append(folder)
            mine += [
                Resource(uploaded_by_id=user_id, group_id=led[user_id], parent_folder=folder, **link) for link in _LINKS
            ]
        resources += mine
        for resource in mine:
            if resource.resource_type != ResourceType.FOLDER and rng.random() < 0.5:
                status = rng.choice((ProgressStatus.IN_PROGRESS, ProgressStatus.COMPLETED, ProgressStatus.PAUSED))
                percentage = 100 if status == ProgressStatus.COMPLETED else rng.randint(5, 95)
                done = now if status == ProgressStatus.COMPLETED else None
                tracked.append(
                    ResourceProgress(
                        user_id=user_id,
                        resource=resource,
                        status=status,
                        progress_percentage=percentage,
                        started_at=now - timedelta(days=rng.randint(1, 20)),
                        completed_at=done,
                    )
                )
    bulk.copy_objects(resources)
    bulk.copy_objects(tracked)
    return len(resources)
