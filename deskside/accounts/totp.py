"""Time-based one-time passwords (RFC 6238) for the second factor, with replay protection."""

from __future__ import annotations

import hmac
import time

import pyotp
import segno
from django.db import transaction

from deskside.directory.models import User

ISSUER = "Deskside"
WINDOW = 1  # accept the previous and the next 30-second step, for clock drift


def secret_new() -> str:
    return pyotp.random_base32()


def provisioning_uri(*, user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg_data_uri(uri: str) -> str:
    """The QR code as an SVG data: URI (an <img>, so the page needs no inline style or script)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=4, border=2))


def matching_counter(*, secret: str, code: str, after: int | None) -> int | None:
    """The time step the code belongs to, if valid and newer than ``after`` (no replays)."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(time.time())
    for counter in range(now - WINDOW, now + WINDOW + 1):
        if after is not None and counter <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None


@transaction.atomic
def code_accept(*, user: User, code: str, secret: str | None = None) -> bool:
    """Check a code against the user's (or the given pending) secret and remember its step."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    counter = matching_counter(
        secret=secret or locked.totp_secret, code=code, after=locked.totp_last_counter
    )
    if counter is None:
        return False
    locked.totp_last_counter = counter
    locked.save(update_fields=["totp_last_counter"])
    user.totp_last_counter = counter
    return True
