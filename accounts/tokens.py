"""JWT refresh tokens that are spent once."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken


class SingleUseRefreshToken(RefreshToken):
    """A refresh token is spent once, by a rotation or a logout, and spending it blacklists it.

    Requests that spend the same token at the same moment race to insert its blacklist row, which is
    unique per token: the first insert wins and the others are refused as blacklisted (401). So ten
    parallel refreshes of one token rotate it once and issue one new refresh token, not ten.
    """

    def blacklist(self) -> BlacklistedToken:
        self.outstand()
        outstanding = OutstandingToken.objects.get(jti=self.payload[api_settings.JTI_CLAIM])
        try:
            with transaction.atomic():
                return BlacklistedToken.objects.create(token=outstanding)
        except IntegrityError:
            raise TokenError(_("Token is blacklisted")) from None
