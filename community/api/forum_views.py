"""The forum: posts, comment trees and likes. Posts are public to signed-in users; writes are the
author's only (403 for others)."""

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import filters, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_face
from community import forum
from community.choices import PostCategory
from community.models import Comment, Post
from learnflow.filters import FilterBackend, SearchFilter
from learnflow.openapi import errors
from learnflow.routers import UUID_REGEX
from learnflow.views import CompiledListMixin, Row

from .forum_serializers import (
    CommentCreateSerializer,
    CommentPageSerializer,
    CommentSerializer,
    CommentUpdateSerializer,
    LikeSerializer,
    PostSerializer,
    comment_node,
)


def _tree(roots):
    """Serialize a comment tree (nested ``replies`` of the same shape), without recursion."""
    out = []
    todo = [(roots, out)]
    while todo:
        nodes, into = todo.pop()
        for node in nodes:
            data = CommentSerializer({**node, "replies": []}).data
            data["replies"] = []
            into.append(data)
            todo.append((node["replies"], data["replies"]))
    return out


class PostFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=PostCategory.choices)
    author = django_filters.UUIDFilter(field_name="author_id")

    class Meta:
        model = Post
        fields = ("category", "author")


class PostViewSet(CompiledListMixin, viewsets.ModelViewSet):
    serializer_class = PostSerializer
    filterset_class = PostFilter
    filter_backends = [FilterBackend, SearchFilter, filters.OrderingFilter]
    search_fields = ("title", "content")
    ordering_fields = ("created_at", "likes", "comment_count")
    lookup_value_regex = UUID_REGEX

    def get_queryset(self):
        reader = self.request.user if self.request.user.is_authenticated else None
        return forum.posts_visible(reader=reader)

    @staticmethod
    def compiled_list_query(*, user):
        return forum.posts_visible(reader=user).values(*PostSerializer.ROW_FIELDS)

    def compiled_row(self, row: dict) -> Row:
        author = row["author__id"]
        return Row({**row, "author": None if author is None else user_face(row, "author", pk=author)})

    def perform_create(self, serializer):
        serializer.instance = forum.post_create(user=self.request.user, **serializer.validated_data)

    @errors(403)
    def perform_update(self, serializer):
        serializer.instance = forum.post_update(
            user=self.request.user, post=serializer.instance, data=serializer.validated_data
        )

    @errors(403)
    def perform_destroy(self, instance):
        forum.post_delete(user=self.request.user, post=instance)

    @extend_schema(request=None, responses=LikeSerializer)
    @action(detail=True, methods=["post"])
    def like(self, request, pk=None):
        liked, likes = forum.post_like_toggle(user=request.user, post=self.get_object())
        return Response({"liked": liked, "likes": likes})

    @extend_schema(
        methods=["GET"],
        parameters=[
            OpenApiParameter("page", int, description="page of top-level comments, from 1 (oldest first)"),
            OpenApiParameter(
                "page_size",
                int,
                description=f"top-level comments per page, each with all its replies (default "
                f"{forum.COMMENTS_PAGE_SIZE}, at most {forum.COMMENTS_MAX_PAGE_SIZE})",
            ),
            OpenApiParameter(
                "Link",
                str,
                location=OpenApiParameter.HEADER,
                response=[200],
                description='`<url of the next page>; rel="next"` when more top-level comments follow',
            ),
        ],
        responses=CommentSerializer(many=True),
    )
    @extend_schema(methods=["POST"], request=CommentCreateSerializer, responses={201: CommentSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def comments(self, request, pk=None):
        post = self.get_object()
        if request.method == "POST":
            serializer = CommentCreateSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            comment = forum.comment_create(user=request.user, post=post, **serializer.validated_data)
            return Response(CommentSerializer(comment_node(comment)).data, status=status.HTTP_201_CREATED)
        paging = CommentPageSerializer(data=request.query_params)
        paging.is_valid(raise_exception=True)
        page, page_size = paging.validated_data["page"], paging.validated_data["page_size"]
        roots, more = forum.comment_tree(user=request.user, post=post, page=page, page_size=page_size)
        response = Response(_tree(roots))
        if more:
            following = request.build_absolute_uri(f"{request.path}?page={page + 1}&page_size={page_size}")
            response["Link"] = f'<{following}>; rel="next"'
        return response


class CommentView(APIView):
    """Edit or delete one's own comment (403 for anyone else)."""

    def _comment(self, comment_id) -> Comment:
        return get_object_or_404(
            Comment.objects.select_related("author").filter(
                post__in=forum.posts_visible(), is_deleted=False, is_hidden=False
            ),
            pk=comment_id,
        )

    @errors(403)
    @extend_schema(request=CommentUpdateSerializer, responses=CommentSerializer)
    def put(self, request, comment_id):
        serializer = CommentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = forum.comment_update(
            user=request.user, comment=self._comment(comment_id), **serializer.validated_data
        )
        return Response(CommentSerializer(comment_node(comment)).data)

    @errors(403)
    @extend_schema(responses={204: None})
    def delete(self, request, comment_id):
        forum.comment_delete(user=request.user, comment=self._comment(comment_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommentLikeView(APIView):
    @extend_schema(request=None, responses=LikeSerializer)
    def post(self, request, comment_id):
        comment = get_object_or_404(
            Comment.objects.filter(post__in=forum.posts_visible(), is_deleted=False, is_hidden=False), pk=comment_id
        )
        liked, likes = forum.comment_like_toggle(user=request.user, comment=comment)
        return Response({"liked": liked, "likes": likes})
