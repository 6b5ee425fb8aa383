from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications and newsletters")

    def ready(self) -> None:
        from accounts.personal_data import register
        from notifications import personal_data as data

        register(
            "notifications",
            export=data.export_notifications,
            erase=data.erase_notifications,
            order=70,
        )
