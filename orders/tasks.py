"""Background work of the orders app. Celery's autodiscovery imports this module; the tasks
live with their concept and are imported here so the worker registers them."""

from orders.tasks_group_buys import *  # noqa: F403
from orders.tasks_reservations import *  # noqa: F403
