from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "deskside.policies"
    label = "policies"
