from django.apps import AppConfig


class FleetConfig(AppConfig):
    name = "deskside.fleet"
    label = "fleet"

    def ready(self) -> None:
        # Devices join the access check's scopes (see access/checks.py: register_scope).
        from deskside.access.checks import register_scope
        from deskside.fleet.models import ManagedDevice
        from deskside.fleet.selectors import devices_in_scope

        register_scope(ManagedDevice, devices_in_scope)

        # Membership changes in the directory push the devices they concern (fleet/push.py).
        from deskside.directory.signals import reach_changed
        from deskside.fleet.push import on_reach_changed

        reach_changed.connect(on_reach_changed, dispatch_uid="fleet.push.on_reach_changed")
