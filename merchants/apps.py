from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MerchantsConfig(AppConfig):
    name = "merchants"
    verbose_name = _("Shops")

    def ready(self) -> None:
        from accounts.personal_data import register
        from merchants import personal_data as data

        register(
            "shops",
            export=data.export_shops,
            erase=data.erase_shops,
            check=data.check_shops,
            order=10,
        )
