"""The forum: posts, comment trees and likes.

Likes are unique rows per (user, post) or (user, comment); a like toggles, and the counter moves
with ``F()`` only when a row was really created or deleted, so it stays exact under parallel clicks.
Posts and comments are deleted softly; a deleted or hidden comment keeps its place in the tree
(its replies stay) but shows no text or author.

Comment trees are at most ``COMMENT_MAX_DEPTH`` levels deep (a top-level comment is level 1): a
reply to a comment on the last level goes beside it, under its parent, so a long back-and-forth
keeps going at the last level instead of being refused; the reply still notifies the author of
the comment it answers. Trees are built and serialized without recursion, and the read shows
anything stored deeper (rows from before the cap) on the last level too, so no chain can break
a post for its readers. Comments are read a page of top-level comments at a time, each with its
whole thread (every reply stores its top-level comment as ``thread``), in three queries per page.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.choices import NotificationKind
from accounts.services import notification_create
from learnflow import events

from .models import Comment, CommentLike, Post, PostLike

POST_CREATED = "post_created"
COMMENT_MAX_DEPTH = 6
COMMENTS_PAGE_SIZE = 50
COMMENTS_MAX_PAGE_SIZE = 100


def posts_visible(*, reader=None) -> QuerySet[Post]:
    """The posts everybody sees; with a ``reader``, each also says whether they like it
    (``liked_by_me``), read in the same query."""
    posts = Post.objects.filter(is_deleted=False, is_hidden=False).select_related("author")
    if reader is not None:
        posts = posts.annotate(liked_by_me=Exists(PostLike.objects.filter(user=reader, post=OuterRef("pk"))))
    return posts


def _own(obj, user) -> None:
    if obj.author_id != user.pk:
        raise PermissionDenied("Only the author can change this.")


@transaction.atomic
def post_create(*, user, title: str, content: str, category: str) -> Post:
    post = Post.objects.create(author=user, title=title, content=content, category=category)
    events.activity_recorded(user=user, kind=POST_CREATED, obj=post)
    return post


def post_update(*, user, post: Post, data: dict) -> Post:
    _own(post, user)
    for field, value in data.items():
        setattr(post, field, value)
    post.save(update_fields=[*data, "updated_at"])
    return post


def post_delete(*, user, post: Post) -> None:
    _own(post, user)
    Post.objects.filter(pk=post.pk).update(is_deleted=True, updated_at=timezone.now())


def _toggle(like_model, target_model, *, user, target, field: str) -> tuple[bool, int]:
    with transaction.atomic():
        deleted, _ = like_model.objects.filter(user=user, **{field: target}).delete()
        if deleted:
            target_model.objects.filter(pk=target.pk).update(likes=F("likes") - 1)
            liked = False
        else:
            try:
                with transaction.atomic():
                    like_model.objects.create(user=user, **{field: target})
            except IntegrityError:
                liked = True  # the same user's parallel click created it: count it once
            else:
                target_model.objects.filter(pk=target.pk).update(likes=F("likes") + 1)
                liked = True
    return liked, target_model.objects.values_list("likes", flat=True).get(pk=target.pk)


def post_like_toggle(*, user, post: Post) -> tuple[bool, int]:
    return _toggle(PostLike, Post, user=user, target=post, field="post")


def comment_like_toggle(*, user, comment: Comment) -> tuple[bool, int]:
    return _toggle(CommentLike, Comment, user=user, target=comment, field="comment")


@transaction.atomic
def likes_withdraw(*, user) -> int:
    """Take back every like of a user whose account is being deleted, each counter moving down with
    ``F()`` as an unlike would. The like rows are locked first, so an unlike racing this one cannot
    count twice. Returns the likes taken back."""
    withdrawn = 0
    for like_model, target_model, field in ((PostLike, Post, "post_id"), (CommentLike, Comment, "comment_id")):
        likes = list(like_model.objects.select_for_update().filter(user=user).order_by("pk").values_list("pk", field))
        if not likes:
            continue
        target_model.objects.filter(pk__in=[target for _, target in likes]).update(likes=F("likes") - 1)
        like_model.objects.filter(pk__in=[pk for pk, _ in likes]).delete()
        withdrawn += len(likes)
    return withdrawn


@transaction.atomic
def comment_create(*, user, post: Post, content: str, parent_comment_id=None) -> Comment:
    """Comment on a post or reply to one of its comments; the author of the post (or of the comment
    replied to) is notified, unless it is oneself or their account is deleted."""
    parent = None
    if parent_comment_id is not None:
        parent = Comment.objects.filter(pk=parent_comment_id, post=post, is_deleted=False, is_hidden=False).first()
        if parent is None:
            raise ValidationError({"parent_comment_id": ["No such comment on this post."]})
    comment = Comment.objects.create(
        post=post,
        author=user,
        parent_id=_reply_parent_id(parent) if parent else None,
        thread_id=(parent.thread_id or parent.pk) if parent else None,
        content=content,
    )
    Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
    to_notify = parent.author if parent else post.author
    if to_notify is not None and to_notify.pk != user.pk:
        notification_create(
            user=to_notify,
            kind=NotificationKind.REPLY,
            title=f"{user.username} replied to your {'comment' if parent else 'post'}",
            body=content[:200],
            data={"post_id": str(post.pk), "comment_id": str(comment.pk)},
            dedupe_key=f"reply:{comment.pk}",
        )
    return comment


def _reply_parent_id(replied_to: Comment):
    """Where a reply to ``replied_to`` is stored: under it, unless it is on the last level (or,
    stored before the cap, deeper); then under its parent, beside it. Costs at most
    ``COMMENT_MAX_DEPTH - 1`` primary-key lookups (walking up to find the level), whatever the
    chain's length."""
    level, up = 1, replied_to.parent_id
    while up is not None and level < COMMENT_MAX_DEPTH:
        level += 1
        up = Comment.objects.values_list("parent_id", flat=True).get(pk=up)
    return replied_to.pk if level < COMMENT_MAX_DEPTH else replied_to.parent_id


def comment_update(*, user, comment: Comment, content: str) -> Comment:
    _own(comment, user)
    comment.content = content
    comment.save(update_fields=["content", "updated_at"])
    return comment


@transaction.atomic
def comment_delete(*, user, comment: Comment) -> None:
    _own(comment, user)
    if Comment.objects.filter(pk=comment.pk, is_deleted=False).update(is_deleted=True):
        Post.objects.filter(pk=comment.post_id).update(comment_count=F("comment_count") - 1)


def comment_tree(*, user, post: Post, page: int = 1, page_size: int = COMMENTS_PAGE_SIZE) -> tuple[list[dict], bool]:
    """A page of the post's top-level comments (oldest first), each with its replies as a tree in
    ``replies``, and whether another page follows. Three queries whatever the page or the thread
    holds: the page's top-level comments, their threads' comments (``thread``), the caller's likes.

    Built without recursion. A comment stored deeper than ``COMMENT_MAX_DEPTH`` (before the cap)
    is shown on the last level, beside the others there, in time order, with ``parent_comment_id``
    naming the comment it is shown under.
    """
    start = (page - 1) * page_size
    top = list(
        Comment.objects.filter(post=post, parent__isnull=True)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[start : start + page_size + 1]
    )
    more, top = len(top) > page_size, top[:page_size]
    comments = list(
        Comment.objects.filter(Q(pk__in=top) | Q(thread_id__in=top), post=post)
        .select_related("author")
        .order_by("created_at", "id")
    )
    liked = set(
        CommentLike.objects.filter(Q(comment_id__in=top) | Q(comment__thread_id__in=top), user=user).values_list(
            "comment_id", flat=True
        )
    )
    nodes = {}
    children: dict = {}
    roots = []
    for comment in comments:
        gone = comment.is_deleted or comment.is_hidden
        nodes[comment.pk] = {
            "id": comment.pk,
            "parent_comment_id": comment.parent_id,
            "content": None if gone else comment.content,
            "author": None if gone else comment.author,
            "is_deleted": gone,
            "likes": comment.likes,
            "liked_by_me": comment.pk in liked,
            "created_at": comment.created_at,
            "updated_at": comment.updated_at,
            "replies": [],
        }
    for comment in comments:
        if comment.parent_id in nodes:
            children.setdefault(comment.parent_id, []).append(comment.pk)
    # the node each comment is shown under, level by level from the top-level comments
    shown_under = {}
    level = [(comment.pk, None) for comment in comments if comment.parent_id not in nodes]
    depth = 1
    while level:
        below = []
        for pk, under in level:
            shown_under[pk] = under
            below.extend((child, pk if depth < COMMENT_MAX_DEPTH else under) for child in children.get(pk, ()))
        level = below
        depth += 1
    for comment in comments:  # in time order, so every list of replies is too
        if comment.pk not in shown_under:
            continue  # a cycle: impossible through the API (a parent exists before its replies)
        node, under = nodes[comment.pk], shown_under[comment.pk]
        node["parent_comment_id"] = under
        (nodes[under]["replies"] if under is not None else roots).append(node)
    return roots, more


def community_posts_count(*, user) -> int:
    """The ``community_posts`` achievement metric: the user's posts that are not deleted."""
    return Post.objects.filter(author=user, is_deleted=False).count()


def community_posts_counts(*, user_ids) -> dict:
    """``community_posts_count`` of many users at once (authors with none are absent)."""
    posts = Post.objects.filter(author_id__in=user_ids, is_deleted=False).order_by().values("author_id")
    return dict(posts.annotate(n=Count("pk")).values_list("author_id", "n"))
