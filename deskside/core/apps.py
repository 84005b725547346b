from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "deskside.core"
    label = "core"

    def ready(self) -> None:
        # The configured data keys are checked by `deskside check` and at every start-up.
        from deskside.core import checks  # noqa: F401
