from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "deskside.accounts"
    label = "accounts"
