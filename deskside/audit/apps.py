from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "deskside.audit"
    label = "audit"
