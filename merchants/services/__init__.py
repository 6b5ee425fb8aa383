"""Every write of the merchants app, one module per concept; import from here.

- ``shops``: shops, their hours, closures, pictures and staff members;
- ``staff``: staff invitations;
- ``stories``: stories of craft;
- ``photos``: the upload pipeline shared by every kind of photo.
"""

from merchants.services.photos import photo_process, photo_queue_processing
from merchants.services.shops import (
    EDITABLE_FIELDS,
    closure_add,
    closure_remove,
    merchant_add_staff,
    merchant_create,
    merchant_image_process,
    merchant_onboard,
    merchant_publish,
    merchant_update,
    opening_hours_replace,
    waiting_shop_images,
)
from merchants.services.staff import (
    staff_invitation_accept,
    staff_invitation_withdraw,
    staff_invite,
    staff_member_remove,
)
from merchants.services.stories import (
    story_create,
    story_delete,
    story_image_add,
    story_image_delete,
    story_image_move,
    story_image_update,
    story_images_reorder,
    story_publish,
    story_set_products,
    story_unpublish,
    story_update,
)

__all__ = [
    "EDITABLE_FIELDS",
    "closure_add",
    "closure_remove",
    "merchant_add_staff",
    "merchant_create",
    "merchant_image_process",
    "merchant_onboard",
    "merchant_publish",
    "merchant_update",
    "opening_hours_replace",
    "photo_process",
    "photo_queue_processing",
    "staff_invitation_accept",
    "staff_invitation_withdraw",
    "staff_invite",
    "staff_member_remove",
    "story_create",
    "story_delete",
    "story_image_add",
    "story_image_delete",
    "story_image_move",
    "story_image_update",
    "story_images_reorder",
    "story_publish",
    "story_set_products",
    "story_unpublish",
    "story_update",
    "waiting_shop_images",
]
