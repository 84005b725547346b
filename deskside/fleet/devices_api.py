"""Operators' API for devices and their actions (session sign-in, CSRF, the access check)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["devices"])
