"""Every write of the catalog app, one module per concept; import from here.

- ``products``: products, their stock, their photos, bulk actions and duplication;
- ``story_links``: which stories tell about a product;
- ``imports``: CSV import and export of a shop's products.
"""

from catalog.services.imports import (
    import_job_apply,
    import_job_cancel,
    import_job_confirm,
    import_job_create,
    products_export,
)
from catalog.services.products import (
    EDITABLE_FIELDS,
    MAX_STOCK,
    product_adjust_stock,
    product_archive,
    product_create,
    product_duplicate,
    product_image_add,
    product_image_delete,
    product_image_move,
    product_image_process,
    product_image_set_main,
    product_image_update,
    product_images_reorder,
    product_publish,
    product_set_stock,
    product_stock_return,
    product_stock_take,
    product_unpublish,
    product_update,
    products_bulk_archive,
    products_bulk_publish,
    products_bulk_set_category,
)
from catalog.services.story_links import product_set_stories

__all__ = [
    "EDITABLE_FIELDS",
    "MAX_STOCK",
    "import_job_apply",
    "import_job_cancel",
    "import_job_confirm",
    "import_job_create",
    "product_adjust_stock",
    "product_archive",
    "product_create",
    "product_duplicate",
    "product_image_add",
    "product_image_delete",
    "product_image_move",
    "product_image_process",
    "product_image_set_main",
    "product_image_update",
    "product_images_reorder",
    "product_publish",
    "product_set_stock",
    "product_set_stories",
    "product_stock_return",
    "product_stock_take",
    "product_unpublish",
    "product_update",
    "products_bulk_archive",
    "products_bulk_publish",
    "products_bulk_set_category",
    "products_export",
]
