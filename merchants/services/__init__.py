"""Every write of the merchants app, one module per concept; import from here.

- ``shops``: shops, their staff, hours and closures;
- ``photos``: the upload pipeline shared by every kind of photo;
- ``staff``: staff invitations;
- ``stories``: stories of craft.
"""

from merchants.services.photos import photo_process, photo_queue_processing
from merchants.services.shops import (
    EDITABLE_FIELDS,
    closure_add,
    merchant_add_staff,
    merchant_create,
    merchant_publish,
    merchant_update,
    opening_hours_replace,
)

__all__ = [
    "EDITABLE_FIELDS",
    "closure_add",
    "merchant_add_staff",
    "merchant_create",
    "merchant_publish",
    "merchant_update",
    "opening_hours_replace",
    "photo_process",
    "photo_queue_processing",
]
