"""Every write of the catalog app, one module per concept; import from here.

- ``products``: products, their stock and their photos;
- ``imports``: CSV import and export of a shop's products.
"""

from catalog.services.products import (
    EDITABLE_FIELDS,
    product_adjust_stock,
    product_archive,
    product_create,
    product_image_add,
    product_image_process,
    product_publish,
    product_set_stock,
    product_unpublish,
    product_update,
)

__all__ = [
    "EDITABLE_FIELDS",
    "product_adjust_stock",
    "product_archive",
    "product_create",
    "product_image_add",
    "product_image_process",
    "product_publish",
    "product_set_stock",
    "product_unpublish",
    "product_update",
]
