from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Reservations and group buys")

    def ready(self) -> None:
        from accounts.personal_data import register
        from orders import personal_data as data

        register(
            "reservations", export=data.export_reservations, erase=data.erase_reservations, order=30
        )
        register("pledges", export=data.export_pledges, erase=data.erase_pledges, order=40)
