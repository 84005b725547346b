"""App protection: registrations reported by protected apps."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["app protection"])
