"""Writes for study groups: creation, joining (also under parallel requests), roles, invitations."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.utils import timezone

from accounts.choices import NotificationKind
from accounts.services import notification_create
from learnflow.exceptions import Conflict

from .choices import GroupType, InvitationStatus, Role, Visibility
from .models import Group, Invitation, Membership, new_invite_code

INVITATION_DAYS = 7
MANAGERS = (Role.LEADER, Role.ADMIN)


def role_of(*, group: Group, user) -> str | None:
    return Membership.objects.filter(group=group, user=user).values_list("role", flat=True).first()


def _require(group: Group, user, roles, message: str) -> str:
    role = role_of(group=group, user=user)
    if role is None:
        raise Http404
    if role not in roles:
        raise PermissionDenied(message)
    return role


@transaction.atomic
def group_create(*, user, **fields) -> Group:
    """Create a group; its creator is its first leader."""
    group = Group.objects.create(creator=user, **fields)
    Membership.objects.create(group=group, user=user, role=Role.LEADER)
    return group


@transaction.atomic
def group_update(*, user, group: Group, data: dict) -> Group:
    _require(group, user, MANAGERS, "Only the group's leaders and admins can change it.")
    for field, value in data.items():
        setattr(group, field, value)
    if group.max_members < group.memberships.count():
        raise ValidationError({"max_members": ["The group already has more members than that."]})
    group.save()
    return group


def group_delete(*, user, group: Group) -> None:
    """Leaders delete a group softly: it disappears for everyone, its data stays for the admin."""
    _require(group, user, (Role.LEADER,), "Only a leader can delete the group.")
    Group.objects.filter(pk=group.pk).update(is_active=False, updated_at=timezone.now())


def group_regenerate_code(*, user, group: Group) -> Group:
    _require(group, user, MANAGERS, "Only the group's leaders and admins can change the invite code.")
    group.invite_code = new_invite_code()
    group.save(update_fields=["invite_code", "updated_at"])
    return group


@transaction.atomic
def group_join(*, user, group: Group, invite_code: str | None = None) -> Membership:
    """Join a public group, or a private one with its invite code or a pending invitation (which
    this accepts). The group row is locked, so parallel joins never overfill it."""
    locked = Group.objects.select_for_update().filter(pk=group.pk, is_active=True).first()
    if locked is None:
        raise Http404
    invitation = Invitation.objects.filter(
        group=locked, invitee=user, status=InvitationStatus.PENDING, expires_at__gt=timezone.now()
    ).first()
    if Membership.objects.filter(group=locked, user=user).exists():
        raise Conflict("You are already a member of this group.")
    if locked.visibility == Visibility.PRIVATE and invitation is None and invite_code != locked.invite_code:
        raise Http404
    if locked.memberships.count() >= locked.max_members:
        raise ValidationError({"non_field_errors": ["This group is full."]})
    try:
        with transaction.atomic():
            membership = Membership.objects.create(group=locked, user=user, role=Role.MEMBER)
    except IntegrityError:
        raise Conflict("You are already a member of this group.") from None
    if invitation is not None:
        Invitation.objects.filter(pk=invitation.pk).update(
            status=InvitationStatus.ACCEPTED, responded_at=timezone.now(), updated_at=timezone.now()
        )
    return membership


@transaction.atomic
def group_leave(*, user, group: Group) -> None:
    """Leave a group. The last leader of a group with other members must make someone else leader
    first; the last member leaving closes the group."""
    Group.objects.select_for_update().get(pk=group.pk)
    membership = Membership.objects.filter(group=group, user=user).first()
    if membership is None:
        raise Http404
    others = Membership.objects.filter(group=group).exclude(user=user)
    if membership.role == Role.LEADER and others.exists() and not others.filter(role=Role.LEADER).exists():
        raise Conflict("You are the last leader: make another member leader before leaving.")
    membership.delete()
    if not others.exists():
        Group.objects.filter(pk=group.pk).update(is_active=False, updated_at=timezone.now())


def group_heir(*, group: Group, leaving) -> Membership | None:
    """Who leads a group after its last leader's account is deleted: the longest-standing admin,
    else the longest-standing member (``None`` when nobody else is in it)."""
    admins_first = Case(When(role=Role.ADMIN, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        Membership.objects.filter(group=group)
        .exclude(user=leaving)
        .select_related("user")
        .order_by(admins_first, "joined_at", "pk")
        .first()
    )


@transaction.atomic
def groups_leave_for_deletion(*, user) -> int:
    """Take a user whose account is being deleted out of every group, as ``group_leave`` does. Where
    they are the last leader of an active group with other members, ``member_set_role`` first makes
    the ``group_heir`` a leader (who is notified), so the group keeps a leader; the last member
    leaving closes the group. Groups are locked in pk order. Returns the groups left."""
    groups = list(Group.objects.filter(memberships__user=user).order_by("pk"))
    for group in groups:
        Group.objects.select_for_update().get(pk=group.pk)
        leaders = Membership.objects.filter(group=group, role=Role.LEADER)
        if group.is_active and leaders.filter(user=user).exists() and not leaders.exclude(user=user).exists():
            heir = group_heir(group=group, leaving=user)
            if heir is not None:
                member_set_role(actor=user, group=group, user_id=heir.user_id, role=Role.LEADER)
                notification_create(
                    user=heir.user,
                    kind=NotificationKind.SYSTEM,
                    title=f"You now lead {group.group_name}",
                    body="Its last leader deleted their account, so leading the group passed to you.",
                    data={"group_id": str(group.pk)},
                )
        group_leave(user=user, group=group)
    return len(groups)


@transaction.atomic
def member_set_role(*, actor, group: Group, user_id, role: str) -> Membership:
    """Leaders promote and demote; a group always keeps at least one leader."""
    Group.objects.select_for_update().get(pk=group.pk)
    _require(group, actor, (Role.LEADER,), "Only a leader can change roles.")
    membership = Membership.objects.filter(group=group, user_id=user_id).first()
    if membership is None:
        raise ValidationError({"user_id": ["This user is not a member of the group."]})
    other_leaders = Membership.objects.filter(group=group, role=Role.LEADER).exclude(pk=membership.pk)
    if membership.role == Role.LEADER and role != Role.LEADER and not other_leaders.exists():
        raise Conflict("A group needs at least one leader.")
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def member_remove(*, actor, group: Group, user_id) -> None:
    """Leaders and admins remove members; only a leader removes a leader or an admin."""
    actor_role = _require(group, actor, MANAGERS, "Only the group's leaders and admins can remove members.")
    membership = Membership.objects.filter(group=group, user_id=user_id).first()
    if membership is None:
        raise Http404
    if membership.user_id == actor.pk:
        raise Conflict("Leave the group instead of removing yourself.")
    if membership.role in MANAGERS and actor_role != Role.LEADER:
        raise PermissionDenied("Only a leader can remove a leader or an admin.")
    membership.delete()


@transaction.atomic
def group_invite(*, inviter, group: Group, invitee, message: str = "") -> Invitation:
    """Leaders and admins invite (any member, in a community group), with an optional note. The
    invitee is notified (the note is the notification's body); a second pending invitation to the
    same person is a conflict."""
    roles = (Role.LEADER, Role.ADMIN, Role.MEMBER) if group.group_type == GroupType.COMMUNITY else MANAGERS
    _require(group, inviter, roles, "Only the group's leaders and admins can invite.")
    if invitee.pk == inviter.pk or Membership.objects.filter(group=group, user=invitee).exists():
        raise ValidationError({"user_id": ["This user is already a member of the group."]})
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                group=group,
                inviter=inviter,
                invitee=invitee,
                message=message,
                expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
            )
    except IntegrityError:
        raise Conflict("This user already has a pending invitation to the group.") from None
    notification_create(
        user=invitee,
        kind=NotificationKind.INVITATION,
        title=f"{inviter.username} invited you to {group.group_name}",
        body=f"{message}\n\nThe invitation is valid for 7 days." if message else "The invitation is valid for 7 days.",
        data={"invitation_id": str(invitation.pk), "group_id": str(group.pk)},
        dedupe_key=f"invitation:{invitation.pk}",
    )
    return invitation


@transaction.atomic
def invitation_respond(*, user, invitation: Invitation, accept: bool) -> Invitation:
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk, invitee=user)
    if locked.status != InvitationStatus.PENDING or locked.expires_at <= timezone.now():
        raise Conflict("This invitation is no longer pending.")
    if accept:
        group_join(user=user, group=locked.group)
        locked.refresh_from_db()
        return locked
    locked.status, locked.responded_at = InvitationStatus.DECLINED, timezone.now()
    locked.save(update_fields=["status", "responded_at", "updated_at"])
    return locked


def invitations_expire(*, now=None) -> int:
    """Pending invitations past their 7 days become expired (a rerun finds none left)."""
    now = now or timezone.now()
    return Invitation.objects.filter(status=InvitationStatus.PENDING, expires_at__lte=now).update(
        status=InvitationStatus.EXPIRED, updated_at=now
    )
