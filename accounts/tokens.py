"""JWT refresh tokens that are spent once."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch


class SingleUseRefreshToken(RefreshToken):
    """A refresh token is spent once, by a rotation or a logout, and spending it blacklists it.

    Requests that spend the same token at the same moment race to insert its blacklist row, which is
    unique per token: the first insert wins and the others are refused as blacklisted (401). So ten
    parallel refreshes of one token rotate it once and issue one new refresh token, not ten.

    Its outstanding rows are written by owner id, without simplejwt's read of the owner for each
    row: a rotation costs seven queries instead of thirteen. The serializer has read the owner and
    refused an inactive or missing one before anything is written.
    """

    #: Set when a received token got a new ``jti`` (a rotation): its outstanding row cannot exist yet.
    _fresh = False

    def set_jti(self) -> None:
        super().set_jti()
        self._fresh = self.token is not None  # not a token made here (``for_user`` writes its own row)

    def outstand(self) -> OutstandingToken:
        """The token's row in the outstanding list, made when missing."""
        row = {
            "user_id": self.payload.get(api_settings.USER_ID_CLAIM),
            "token": str(self),
            "created_at": self.current_time,
            "expires_at": datetime_from_epoch(self.payload["exp"]),
        }
        jti = self.payload[api_settings.JTI_CLAIM]
        if self._fresh:
            self._fresh = False
            return OutstandingToken.objects.create(jti=jti, **row)
        return OutstandingToken.objects.get_or_create(jti=jti, defaults=row)[0]

    def blacklist(self) -> BlacklistedToken:
        outstanding = self.outstand()
        try:
            with transaction.atomic():
                return BlacklistedToken.objects.create(token=outstanding)
        except IntegrityError:
            raise TokenError(_("Token is blacklisted")) from None
