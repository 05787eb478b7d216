"""Shapes of the forum API (the Focus Mate seed's community endpoints)."""

from rest_framework import serializers

from accounts.api.serializers import AuthorSerializer
from accounts.selectors import face_columns
from community import forum
from community.choices import PostCategory
from community.models import Post
from learnflow import dates
from learnflow.dates import ModelSerializer


class PostSerializer(ModelSerializer):
    author = AuthorSerializer(read_only=True)
    liked_by_me = serializers.SerializerMethodField()
    category = serializers.ChoiceField(choices=PostCategory.choices, default=PostCategory.GENERAL)

    #: What it reads of a post of ``forum.posts_visible(reader=...)`` (the plain list's compiled rows
    #: hold these; the author's as ``author__…``).
    ROW_FIELDS = (
        "id", "title", "content", "category", "likes", "comment_count", "liked_by_me", "created_at", "updated_at",
        "author__id", *face_columns("author"),
    )  # fmt: skip

    class Meta:
        model = Post
        fields = (
            "id", "title", "content", "category", "author", "likes", "comment_count", "liked_by_me", "created_at",
            "updated_at",
        )  # fmt: skip
        read_only_fields = ("id", "author", "likes", "comment_count", "created_at", "updated_at")

    def get_liked_by_me(self, post) -> bool:
        # Read with the post (``forum.posts_visible(reader=...)``); a post just written has no like yet.
        return getattr(post, "liked_by_me", False)


class LikeSerializer(serializers.Serializer):
    liked = serializers.BooleanField()
    likes = serializers.IntegerField()


class CommentCreateSerializer(serializers.Serializer):
    content = serializers.CharField(max_length=5000)
    parent_comment_id = serializers.UUIDField(required=False, allow_null=True)


class CommentPageSerializer(serializers.Serializer):
    """``?page=`` and ``?page_size=`` of a post's comments (top-level comments per page)."""

    page = serializers.IntegerField(min_value=1, default=1)
    page_size = serializers.IntegerField(min_value=1, default=forum.COMMENTS_PAGE_SIZE)

    def validate_page_size(self, value: int) -> int:
        return min(value, forum.COMMENTS_MAX_PAGE_SIZE)


class CommentUpdateSerializer(serializers.Serializer):
    content = serializers.CharField(max_length=5000)


class CommentAuthorSerializer(AuthorSerializer):
    """A comment's author: null for a deleted or hidden comment, "deleted user" for a comment whose
    author deleted their account."""

    def get_attribute(self, instance):
        return None if instance["is_deleted"] else super().get_attribute(instance)


class CommentSerializer(serializers.Serializer):
    """A comment; a deleted or hidden one keeps its place in the tree with no text or author."""

    id = serializers.UUIDField()
    parent_comment_id = serializers.UUIDField(allow_null=True)
    content = serializers.CharField(allow_null=True)
    author = CommentAuthorSerializer(allow_null=True)
    is_deleted = serializers.BooleanField()
    likes = serializers.IntegerField()
    liked_by_me = serializers.BooleanField()
    created_at = dates.DateTimeField()
    updated_at = dates.DateTimeField()
    replies = serializers.ListField(child=serializers.DictField(), help_text="comments of the same shape")


def comment_node(comment, *, liked: bool = False) -> dict:
    return {
        "id": comment.pk,
        "parent_comment_id": comment.parent_id,
        "content": comment.content,
        "author": comment.author,
        "is_deleted": False,
        "likes": comment.likes,
        "liked_by_me": liked,
        "created_at": comment.created_at,
        "updated_at": comment.updated_at,
        "replies": [],
    }
