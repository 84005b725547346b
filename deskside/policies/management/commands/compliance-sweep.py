"""``deskside compliance-sweep``: the command's name on the CLI (Django names a command after its
module; the module is ``compliance_sweep``, importable by the tests)."""

from __future__ import annotations

from deskside.policies.management.commands.compliance_sweep import Command

__all__ = ["Command"]
