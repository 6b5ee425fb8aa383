from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Users")

    def ready(self) -> None:
        from accounts import personal_data

        personal_data.register(
            "profile",
            export=personal_data.export_profile,
            erase=personal_data.erase_profile,
            order=0,
        )
