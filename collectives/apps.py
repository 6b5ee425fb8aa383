from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectivesConfig(AppConfig):
    name = "collectives"
    verbose_name = _("Collectives")

    def ready(self) -> None:
        from accounts.personal_data import register
        from collectives import personal_data as data

        register(
            "collectives",
            export=data.export_collectives,
            erase=data.erase_collectives,
            check=data.check_collectives,
            order=20,
        )
        register(
            "registrations",
            export=data.export_registrations,
            erase=data.erase_registrations,
            order=50,
        )
        register("follows", export=data.export_follows, erase=data.erase_follows, order=60)
