"""Deskside's device agent: enrolls the device, checks in, applies profiles and apps, runs actions.

``deskside_agent.protocol`` is the server protocol as a library (no reads of the local machine);
the rest is the agent that runs on a device (``deskside-agent``, see docs/agent.md).
"""

__version__ = "1.0.0"
