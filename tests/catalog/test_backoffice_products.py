"""« Mon commerce » › Produits: the services behind a shop's listings (bulk actions, photo
order, duplicating) and the pages that call them (list, form, quick stock edit, photos)."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext
from PIL import Image

from catalog import services
from catalog.models import Product, ProductImage
from tests.factories import (
    CategoryFactory,
    MembershipFactory,
    MerchantMemberFactory,
    OrganiserFactory,
    ProductFactory,
    ProductImageFactory,
    StoryFactory,
)

pytestmark = pytest.mark.django_db


# --- Helpers ---------------------------------------------------------------------------------


def jpeg_bytes(size=(640, 480), color="darkgreen"):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def jpeg_upload(name="photo.jpg", size=(640, 480)):
    return SimpleUploadedFile(name, jpeg_bytes(size), content_type="image/jpeg")


def french(text):
    """``text`` as a French shopkeeper reads it (whatever the catalogue holds today)."""
    with translation.override("fr"):
        return gettext(text)


def url(name, shop, *args):
    return reverse(f"products:{name}", args=[shop.slug, *args])


def positions(product):
    return list(product.images.order_by("position").values_list("pk", "position"))


def check_deferred_constraints():
    """The unique (product, position) constraint is DEFERRED: a test transaction never
    commits, so ask PostgreSQL to check it now (raises IntegrityError if violated)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def photos_of(product, count, **kwargs):
    return [
        ProductImageFactory(product=product, position=position, **kwargs)
        for position in range(count)
    ]


@pytest.fixture
def shop(owner):
    return owner.shop


@pytest.fixture
def taxonomy():
    """A small two-level taxonomy of our own: the tests do not lean on the seeded one."""
    food = CategoryFactory(name="Produits frais")
    home = CategoryFactory(name="Objets")
    return {
        "food": food,
        "cheese": CategoryFactory(name="Fromages", parent=food),
        "bread": CategoryFactory(name="Pains", parent=food),
        "home": home,
        "pottery": CategoryFactory(name="Poteries", parent=home),
    }


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def htmx(client, path, data):
    return client.post(path, data, headers={"HX-Request": "true"})


# --- Services: bulk actions --------------------------------------------------------------------


def test_bulk_publish_publishes_the_shops_products_and_ignores_another_shops(owner, shop):
    mine = [ProductFactory(merchant=shop, status="draft", published_at=None) for _ in range(2)]
    foreign = ProductFactory(status="draft", published_at=None)

    count = services.products_bulk_publish(
        actor=owner, merchant=shop, product_ids=[p.pk for p in mine] + [foreign.pk]
    )

    assert count == 2  # the foreign id is ignored, not counted
    for product in mine:
        product.refresh_from_db()
        assert product.status == "published"
        assert product.published_at is not None
    foreign.refresh_from_db()
    assert (foreign.status, foreign.published_at) == ("draft", None)


def test_bulk_publish_keeps_a_first_publication_date(owner, shop):
    product = ProductFactory(merchant=shop, status="draft")
    first = product.published_at
    services.products_bulk_publish(actor=owner, merchant=shop, product_ids=[product.pk])
    product.refresh_from_db()
    assert product.published_at == first


def test_bulk_archive_and_category_touch_only_the_shops_products(owner, shop, taxonomy):
    mine = ProductFactory(merchant=shop)
    foreign = ProductFactory()
    cheese = taxonomy["cheese"]

    assert (
        services.products_bulk_archive(
            actor=owner, merchant=shop, product_ids=[mine.pk, foreign.pk]
        )
        == 1
    )
    assert (
        services.products_bulk_set_category(
            actor=owner, merchant=shop, product_ids=[mine.pk, foreign.pk], category=cheese
        )
        == 1
    )

    mine.refresh_from_db()
    foreign.refresh_from_db()
    assert (mine.status, mine.category) == ("archived", cheese)
    assert (foreign.status, foreign.category) == ("published", None)

    services.products_bulk_set_category(
        actor=owner, merchant=shop, product_ids=[mine.pk], category=None
    )
    mine.refresh_from_db()
    assert mine.category is None


def test_an_organiser_cannot_run_bulk_actions_on_a_members_products():
    membership = MembershipFactory()
    organiser = OrganiserFactory(collective=membership.collective).user
    product = ProductFactory(merchant=membership.merchant, status="draft", published_at=None)
    with pytest.raises(PermissionDenied):
        services.products_bulk_publish(
            actor=organiser, merchant=membership.merchant, product_ids=[product.pk]
        )
    with pytest.raises(PermissionDenied):
        services.product_duplicate(actor=organiser, product=product)
    product.refresh_from_db()
    assert product.status == "draft"


# --- Services: product validation -----------------------------------------------------------


def test_a_sku_already_used_in_the_shop_is_a_field_error(owner, shop):
    ProductFactory(merchant=shop, sku="TOMME-1")
    ProductFactory(sku="TOMME-2")  # another shop's SKU does not matter
    with pytest.raises(ValidationError) as excinfo:
        services.product_create(
            actor=owner, merchant=shop, title="Tomme", price=Decimal("9"), sku="TOMME-1"
        )
    assert excinfo.value.message_dict == {
        "sku": [french("Another product of your shop already has this reference.")]
    }
    services.product_create(
        actor=owner, merchant=shop, title="Tomme", price=Decimal("9"), sku="TOMME-2"
    )


def test_a_compare_at_price_not_above_the_price_is_a_field_error(owner, shop):
    product = ProductFactory(merchant=shop, price=Decimal("10.00"))
    with pytest.raises(ValidationError) as excinfo:
        services.product_update(actor=owner, product=product, compare_at_price=Decimal("10.00"))
    assert list(excinfo.value.message_dict) == ["compare_at_price"]


def test_stock_beyond_what_the_database_holds_is_refused(owner, shop):
    product = ProductFactory(merchant=shop, stock=1)
    with pytest.raises(ValidationError) as excinfo:
        services.product_set_stock(actor=owner, product=product, quantity=services.MAX_STOCK + 1)
    assert "stock" in excinfo.value.message_dict


# --- Services: photos ---------------------------------------------------------------------------


def test_reorder_rewrites_every_position_in_one_transaction(owner, shop):
    product = ProductFactory(merchant=shop)
    a, b, c = photos_of(product, 3)

    services.product_images_reorder(actor=owner, product=product, image_ids=[c.pk, a.pk, b.pk])

    check_deferred_constraints()
    assert positions(product) == [(c.pk, 0), (a.pk, 1), (b.pk, 2)]


@pytest.mark.parametrize("stale", ["missing", "extra", "twice"])
def test_reorder_refuses_a_list_that_is_not_exactly_the_products_photos(owner, shop, stale):
    product = ProductFactory(merchant=shop)
    a, b = photos_of(product, 2)
    other = ProductImageFactory()  # a photo of another shop's product
    ids = {"missing": [b.pk], "extra": [b.pk, a.pk, other.pk], "twice": [b.pk, b.pk, a.pk]}

    with pytest.raises(ValidationError):
        services.product_images_reorder(actor=owner, product=product, image_ids=ids[stale])
    assert positions(product) == [(a.pk, 0), (b.pk, 1)]


def test_set_main_puts_the_photo_first_and_keeps_the_others_order(owner, shop):
    product = ProductFactory(merchant=shop)
    a, b, c, d = photos_of(product, 4)

    services.product_image_set_main(actor=owner, image=c)

    check_deferred_constraints()
    assert positions(product) == [(c.pk, 0), (a.pk, 1), (b.pk, 2), (d.pk, 3)]


def test_move_goes_one_place_and_stops_at_the_ends(owner, shop):
    product = ProductFactory(merchant=shop)
    a, b, c = photos_of(product, 3)

    services.product_image_move(actor=owner, image=c, offset=-1)
    assert positions(product) == [(a.pk, 0), (c.pk, 1), (b.pk, 2)]
    services.product_image_move(actor=owner, image=a, offset=-1)  # already first
    services.product_image_move(actor=owner, image=b, offset=1)  # already last
    check_deferred_constraints()
    assert positions(product) == [(a.pk, 0), (c.pk, 1), (b.pk, 2)]


def test_deleting_the_main_photo_promotes_the_next_and_removes_its_files(
    owner, shop, django_capture_on_commit_callbacks
):
    product = ProductFactory(merchant=shop)
    image = services.product_image_add(actor=owner, product=product, upload=jpeg_upload())
    image = services.product_image_process(image_id=image.pk)
    second = ProductImageFactory(product=product, position=1)
    storage = image.image.storage
    files = [image.image.name] + [e[f] for e in image.renditions.values() for f in ("webp", "jpeg")]
    assert all(storage.exists(name) for name in files)

    with django_capture_on_commit_callbacks(execute=True):
        services.product_image_delete(actor=owner, image=image)

    check_deferred_constraints()
    assert positions(product) == [(second.pk, 0)]
    assert not any(storage.exists(name) for name in files)


def test_alt_text_is_saved_and_checked(owner, shop):
    image = ProductImageFactory(product=ProductFactory(merchant=shop))
    services.product_image_update(actor=owner, image=image, alt_text="  Une tomme entamée ")
    assert ProductImage.objects.get(pk=image.pk).alt_text == "Une tomme entamée"
    with pytest.raises(ValidationError):
        services.product_image_update(actor=owner, image=image, alt_text="x" * 201)


def test_photo_services_refuse_another_shops_team(owner):
    image = ProductImageFactory()
    with pytest.raises(PermissionDenied):
        services.product_image_set_main(actor=owner, image=image)
    with pytest.raises(PermissionDenied):
        services.product_image_delete(actor=owner, image=image)
    with pytest.raises(PermissionDenied):
        services.product_images_reorder(actor=owner, product=image.product, image_ids=[image.pk])
    assert ProductImage.objects.filter(pk=image.pk).exists()


# --- Services: duplicating ----------------------------------------------------------------------


def test_duplicate_is_a_draft_copy_without_sku_and_with_uncounted_stock(owner, shop, taxonomy):
    story = StoryFactory(merchant=shop)
    original = ProductFactory(
        merchant=shop,
        title="Tomme de brebis",
        sku="TOM-1",
        description="Affinée 6 mois.",
        price=Decimal("24.90"),
        compare_at_price=Decimal("29.00"),
        vat_rate=Decimal("5.50"),
        unit="kg",
        stock=7,
        labels=["local", "handmade"],
        category=taxonomy["cheese"],
    )
    original.stories.add(story)

    with translation.override("fr"):
        copy = services.product_duplicate(actor=owner, product=original)
        again = services.product_duplicate(actor=owner, product=original)

    assert copy.pk != original.pk
    with translation.override("fr"):
        assert copy.title == gettext("%(title)s (copy)") % {"title": "Tomme de brebis"}
    assert (copy.status, copy.published_at, copy.sku, copy.stock) == ("draft", None, "", 0)
    for field in ("description", "price", "compare_at_price", "vat_rate", "unit", "labels"):
        assert getattr(copy, field) == getattr(original, field)
    assert copy.category == original.category
    assert list(copy.stories.all()) == [story]
    assert len({original.slug, copy.slug, again.slug}) == 3
    original.refresh_from_db()
    assert (original.sku, original.stock, original.status) == ("TOM-1", 7, "published")


def test_duplicate_of_an_uncounted_product_is_uncounted_too(owner, shop):
    copy = services.product_duplicate(
        actor=owner, product=ProductFactory(merchant=shop, stock=None)
    )
    assert copy.stock is None


def test_duplicate_copies_photo_files_rather_than_sharing_them(
    owner, shop, django_capture_on_commit_callbacks
):
    original = ProductFactory(merchant=shop)
    ready = services.product_image_add(
        actor=owner, product=original, upload=jpeg_upload(), alt_text="Vue de face"
    )
    ready = services.product_image_process(image_id=ready.pk)
    pending = services.product_image_add(actor=owner, product=original, upload=jpeg_upload())
    ProductImageFactory(product=original, position=2, status="failed")

    with django_capture_on_commit_callbacks() as callbacks:
        copy = services.product_duplicate(actor=owner, product=original)

    copied = list(copy.images.order_by("position"))
    assert [image.status for image in copied] == ["ready", "pending"]  # the failed one is left
    assert len(callbacks) == 1  # the pending copy is queued for processing
    storage = ready.image.storage
    first = copied[0]
    assert first.alt_text == "Vue de face"
    assert first.image.name != ready.image.name
    assert set(first.renditions) == set(ready.renditions)
    for width, entry in first.renditions.items():
        assert entry["webp"] != ready.renditions[width]["webp"]
        assert (
            storage.open(entry["webp"]).read()
            == storage.open(ready.renditions[width]["webp"]).read()
        )
    assert copied[1].image.name != pending.image.name
    assert storage.exists(copied[1].image.name)
    # Processing the copy works like any upload.
    assert services.product_image_process(image_id=copied[1].pk).status == "ready"
    # Deleting the copy's photo leaves the original's files alone.
    with django_capture_on_commit_callbacks(execute=True):
        services.product_image_delete(actor=owner, image=first)
    assert storage.exists(ready.image.name)
    assert all(storage.exists(e["jpeg"]) for e in ready.renditions.values())


def test_duplicate_of_a_long_title_still_fits(owner, shop):
    copy = services.product_duplicate(
        actor=owner, product=ProductFactory(merchant=shop, title="T" * 150)
    )
    assert len(copy.title) <= 150
    assert copy.title.startswith("TTT")


# --- Pages: access ------------------------------------------------------------------------------


def test_the_list_asks_a_visitor_to_log_in(client, shop):
    response = client.get(url("list", shop))
    assert response.status_code == 302
    assert "/compte/" in response["Location"]


def test_another_shops_product_answers_404_everywhere(owner_client, shop):
    foreign = ProductFactory(stock=3)
    image = ProductImageFactory(product=foreign)
    assert owner_client.get(url("edit", shop, foreign.pk)).status_code == 404
    for name, args, data in [
        ("edit", [foreign.pk], {"title": "Piraté", "price": "1"}),
        ("stock", [foreign.pk], {"stock": "0"}),
        ("status", [foreign.pk], {"action": "archive"}),
        ("duplicate", [foreign.pk], {}),
        ("photo_add", [foreign.pk], {}),
        ("photo_reorder", [foreign.pk], {"order": [image.pk]}),
        ("photo_update", [foreign.pk, image.pk], {"alt_text": "x"}),
        ("photo_main", [foreign.pk, image.pk], {}),
        ("photo_move", [foreign.pk, image.pk], {"direction": "1"}),
        ("photo_delete", [foreign.pk, image.pk], {}),
    ]:
        assert owner_client.post(url(name, shop, *args), data).status_code == 404, name
    # Nor through the other shop's URL, which the owner does not work for.
    assert owner_client.get(url("edit", foreign.merchant, foreign.pk)).status_code == 404
    foreign.refresh_from_db()
    assert (foreign.title, foreign.stock, foreign.status) != ("Piraté", 0, "archived")
    assert foreign.stock == 3
    assert Product.objects.filter(merchant=foreign.merchant).count() == 1
    assert ProductImage.objects.filter(pk=image.pk).exists()


def test_a_photo_of_another_product_of_the_shop_answers_404(owner_client, shop):
    product = ProductFactory(merchant=shop)
    other_image = ProductImageFactory(product=ProductFactory(merchant=shop))
    response = owner_client.post(url("photo_delete", shop, product.pk, other_image.pk))
    assert response.status_code == 404
    assert ProductImage.objects.filter(pk=other_image.pk).exists()


def test_a_staff_member_of_the_shop_edits_its_products(client, shop):
    staff = MerchantMemberFactory(merchant=shop, role="staff").user
    product = ProductFactory(merchant=shop, title="Pain", price=Decimal("1.20"))
    client.force_login(staff)
    assert client.get(url("edit", shop, product.pk)).status_code == 200
    response = client.post(
        url("edit", shop, product.pk),
        {"title": "Pain de campagne", "price": "1,30", "vat_rate": "5.50", "unit": "piece"},
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.title, product.price) == ("Pain de campagne", Decimal("1.30"))


def test_an_organiser_of_the_shops_collective_cannot_open_its_products(client):
    membership = MembershipFactory()
    organiser = OrganiserFactory(collective=membership.collective).user
    product = ProductFactory(merchant=membership.merchant, stock=5)
    client.force_login(organiser)
    shop = membership.merchant
    assert client.get(url("list", shop)).status_code == 404
    assert client.get(url("edit", shop, product.pk)).status_code == 404
    assert client.post(url("stock", shop, product.pk), {"stock": "0"}).status_code == 404
    product.refresh_from_db()
    assert product.stock == 5


# --- Pages: the list ---------------------------------------------------------------------------


def listed(response):
    return [product.title for product in response.context["products"]]


def test_search_ignores_case_and_accents_and_looks_at_sku_and_description(owner_client, shop):
    ProductFactory(merchant=shop, title="Crème brûlée")
    ProductFactory(merchant=shop, title="Pain", sku="PAIN-CREME")
    ProductFactory(merchant=shop, title="Gâteau", description="Avec une CRÈME légère")
    ProductFactory(merchant=shop, title="Baguette")
    ProductFactory(title="Crème d'une autre boutique")

    response = owner_client.get(url("list", shop), {"q": "creme"})

    assert sorted(listed(response)) == ["Crème brûlée", "Gâteau", "Pain"]
    assert listed(owner_client.get(url("list", shop), {"q": "pain-cr"})) == ["Pain"]


def test_status_filter_hides_archived_products_unless_asked(owner_client, shop):
    ProductFactory(merchant=shop, title="Brouillon", status="draft", published_at=None)
    ProductFactory(merchant=shop, title="En ligne")
    ProductFactory(merchant=shop, title="Retiré", status="archived")

    assert listed(owner_client.get(url("list", shop))) == ["Brouillon", "En ligne"]
    assert listed(owner_client.get(url("list", shop), {"status": "archived"})) == ["Retiré"]
    assert listed(owner_client.get(url("list", shop), {"status": "draft"})) == ["Brouillon"]
    assert len(listed(owner_client.get(url("list", shop), {"status": "all"}))) == 3


def test_category_filter_includes_sub_categories(owner_client, shop, taxonomy):
    food, cheese, bread = taxonomy["food"], taxonomy["cheese"], taxonomy["bread"]
    ProductFactory(merchant=shop, title="Comté", category=cheese)
    ProductFactory(merchant=shop, title="Pain", category=bread)
    ProductFactory(merchant=shop, title="Vase", category=taxonomy["pottery"])

    assert listed(owner_client.get(url("list", shop), {"category": cheese.pk})) == ["Comté"]
    assert listed(owner_client.get(url("list", shop), {"category": food.pk})) == ["Comté", "Pain"]


def test_the_category_select_groups_sub_categories_under_their_parent(owner_client, shop, taxonomy):
    html = owner_client.get(url("list", shop)).content.decode()
    assert '<optgroup label="Produits frais">' in html
    cheese = taxonomy["cheese"]
    assert f'<option value="{cheese.pk}">Fromages</option>' in html


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("price", ["Cabécou", "Éclair", "Tomme", "Brie"]),
        ("-price", ["Brie", "Tomme", "Éclair", "Cabécou"]),
        ("stock", ["Tomme", "Éclair", "Brie", "Cabécou"]),  # not counted comes last
        ("title", ["Brie", "Cabécou", "Éclair", "Tomme"]),  # É sorts with the E's
        ("-updated", ["Tomme", "Éclair", "Cabécou", "Brie"]),
    ],
)
def test_sorting(owner_client, shop, sort, expected):
    for title, price, stock in [
        ("Brie", "30", 9),
        ("Cabécou", "2", None),
        ("Éclair", "3", 4),
        ("Tomme", "20", 0),
    ]:
        ProductFactory(merchant=shop, title=title, price=Decimal(price), stock=stock)
    assert listed(owner_client.get(url("list", shop), {"sort": sort})) == expected


def test_the_list_is_paginated_by_50_and_keeps_the_filters_in_page_links(owner_client, shop):
    for n in range(60):
        ProductFactory(merchant=shop, title=f"Savon {n:02d}")
    response = owner_client.get(url("list", shop), {"q": "savon", "sort": "-title"})
    assert len(response.context["products"]) == 50
    assert "?q=savon&amp;sort=-title&amp;page=2" in response.content.decode()
    second = owner_client.get(url("list", shop), {"q": "savon", "sort": "-title", "page": 2})
    assert listed(second)[-1] == "Savon 00"


def test_an_unknown_filter_value_is_dropped_not_an_error(owner_client, shop):
    ProductFactory(merchant=shop, title="Pain")
    response = owner_client.get(url("list", shop), {"category": "999999", "sort": "nope"})
    assert response.status_code == 200
    assert listed(response) == ["Pain"]


def count_list_queries(client, shop):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("list", shop))
    assert response.status_code == 200
    return len(queries), len(response.context["products"])


def test_the_list_makes_as_many_queries_for_10_products_as_for_200(owner_client, shop, taxonomy):
    cheese = taxonomy["cheese"]

    def add(count):
        for _ in range(count):
            product = ProductFactory(merchant=shop, category=cheese, stock=3)
            photos_of(product, 2)

    add(10)
    small, shown_small = count_list_queries(owner_client, shop)
    add(190)
    large, shown_large = count_list_queries(owner_client, shop)

    assert (shown_small, shown_large) == (10, 50)
    assert small == large


# --- Pages: create and edit ------------------------------------------------------------------


def product_data(**overrides):
    data = {
        "title": "Tomme de brebis",
        "price": "12,50",
        "vat_rate": "5.50",
        "unit": "kg",
        "stock": "",
        "description": "Affinée six mois.",
        "sku": "",
        "compare_at_price": "",
        "labels": ["local"],
        "category": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("typed", ["12,50", "12.50", "12,50 €", " 12.5 "])
def test_create_accepts_a_price_with_a_comma_or_a_dot(owner_client, shop, typed):
    response = owner_client.post(url("create", shop), product_data(price=typed))

    product = Product.objects.get(merchant=shop)
    assert response.status_code == 302
    assert response["Location"] == url("edit", shop, product.pk)
    assert product.price == Decimal("12.50")
    assert (product.status, product.unit, product.labels, product.stock) == (
        "draft",
        "kg",
        ["local"],
        None,
    )


def test_create_with_a_category_and_a_counted_stock(owner_client, shop, taxonomy):
    cheese = taxonomy["cheese"]
    owner_client.post(url("create", shop), product_data(category=cheese.pk, stock="12"))
    product = Product.objects.get(merchant=shop)
    assert (product.category, product.stock) == (cheese, 12)


def test_a_form_error_keeps_what_was_typed_and_writes_nothing(owner_client, shop):
    response = owner_client.post(
        url("create", shop),
        product_data(title="Tomme de brebis", price="douze", compare_at_price="", stock="-2"),
    )

    assert response.status_code == 200
    assert not Product.objects.exists()
    html = response.content.decode()
    assert 'value="Tomme de brebis"' in html
    assert 'value="douze"' in html
    with translation.override("fr"):
        assert gettext("Enter a number.") in html  # Django's own, French: « Saisissez un nombre. »
    assert "aria-invalid" in html


def test_a_service_error_is_shown_next_to_its_field(owner_client, shop):
    ProductFactory(merchant=shop, sku="TOM-1")
    response = owner_client.post(
        url("create", shop), product_data(sku="TOM-1", compare_at_price="10")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["sku"] == [
        french("Another product of your shop already has this reference.")
    ]
    assert form.errors["compare_at_price"] == [
        french("The former price must be higher than the price.")
    ]
    assert Product.objects.filter(merchant=shop).count() == 1


def test_create_keeps_the_valid_photos_and_reports_each_refused_file(owner_client, shop):
    response = owner_client.post(
        url("create", shop),
        {
            **product_data(),
            "photos": [
                jpeg_upload("tomme.jpg"),
                SimpleUploadedFile("notes.txt", b"pas une photo", content_type="text/plain"),
                jpeg_upload("tomme-coupe.jpg"),
            ],
        },
        follow=True,
    )

    product = Product.objects.get(merchant=shop)
    assert product.images.count() == 2
    assert sorted(product.images.values_list("position", flat=True)) == [0, 1]
    html = response.content.decode()
    assert "notes.txt" in html
    with translation.override("fr"):
        reason = gettext(
            "This file is not a photo we can read. Please send a JPEG, PNG or WebP image."
        )
    assert reason.replace("’", "&#x27;") in html or reason in html


def test_the_form_offers_several_photos_of_the_accepted_formats(owner_client, shop):
    html = owner_client.get(url("create", shop)).content.decode()
    assert 'type="file"' in html
    assert "multiple" in html
    assert 'accept="image/jpeg,image/png,image/webp"' in html


def test_edit_shows_the_price_the_french_way_and_saves_changes(owner_client, shop):
    product = ProductFactory(merchant=shop, price=Decimal("4.50"), vat_rate=Decimal("5.50"))
    html = owner_client.get(url("edit", shop, product.pk)).content.decode()
    assert 'value="4,50"' in html

    response = owner_client.post(
        url("edit", shop, product.pk), product_data(title="Miche", price="5,10", stock="3")
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.title, product.price, product.stock) == ("Miche", Decimal("5.10"), 3)


def test_an_edit_error_writes_nothing(owner_client, shop):
    product = ProductFactory(merchant=shop, title="Miche", price=Decimal("4.50"))
    response = owner_client.post(
        url("edit", shop, product.pk), product_data(title="", price="5,10")
    )
    assert response.status_code == 200
    product.refresh_from_db()
    assert (product.title, product.price) == ("Miche", Decimal("4.50"))


# --- Pages: quick stock edit -----------------------------------------------------------------


def test_quick_stock_edit_with_htmx_returns_the_updated_row(owner_client, shop):
    product = ProductFactory(merchant=shop, stock=3)

    response = htmx(owner_client, url("stock", shop, product.pk), {"stock": "12"})

    assert response.status_code == 200
    assert response.templates[0].name.endswith("_row.html")
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="product-row" id="product-{product.pk}"')
    assert 'value="12"' in html
    assert french("saved") in html
    product.refresh_from_db()
    assert product.stock == 12


def test_a_negative_stock_shows_the_error_in_the_row_and_keeps_the_input(owner_client, shop):
    product = ProductFactory(merchant=shop, stock=3)

    response = htmx(owner_client, url("stock", shop, product.pk), {"stock": "-2"})

    assert response.status_code == 200  # htmx swaps 2xx answers only
    html = response.content.decode()
    assert "Le stock ne peut pas être négatif." in html
    assert 'value="-2"' in html
    assert 'aria-invalid="true"' in html
    assert french("saved") not in html
    product.refresh_from_db()
    assert product.stock == 3


def test_a_stock_that_is_not_a_number_is_refused_in_the_row(owner_client, shop):
    product = ProductFactory(merchant=shop, stock=3)
    html = htmx(owner_client, url("stock", shop, product.pk), {"stock": "2,5"}).content.decode()
    assert french("Enter a whole number of units, or leave empty if you do not count them.") in html
    assert 'value="2,5"' in html
    product.refresh_from_db()
    assert product.stock == 3


def test_an_empty_stock_means_not_counted(owner_client, shop):
    product = ProductFactory(merchant=shop, stock=3)
    html = htmx(owner_client, url("stock", shop, product.pk), {"stock": ""}).content.decode()
    product.refresh_from_db()
    assert product.stock is None
    assert french("Empty: not counted") in html


def test_quick_stock_edit_without_javascript_goes_back_to_the_filtered_list(owner_client, shop):
    product = ProductFactory(merchant=shop, stock=3)
    back = url("list", shop) + "?q=pain&sort=-stock"

    response = owner_client.post(url("stock", shop, product.pk), {"stock": "8", "next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    product.refresh_from_db()
    assert product.stock == 8


def test_a_refused_stock_without_javascript_comes_back_as_a_message(owner_client, shop):
    product = ProductFactory(merchant=shop, stock=3, title="Miel")
    response = owner_client.post(url("stock", shop, product.pk), {"stock": "-1"}, follow=True)
    assert response.redirect_chain == [(url("list", shop), 302)]
    [message] = [str(m) for m in response.context["messages"]]
    assert "Miel" in message
    assert "Le stock ne peut pas être négatif." in message
    product.refresh_from_db()
    assert product.stock == 3


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/admin/", "/mon-commerce/autre/"]
)
def test_next_never_leads_outside_the_shops_pages(owner_client, shop, next_url):
    product = ProductFactory(merchant=shop, stock=3)
    response = owner_client.post(url("stock", shop, product.pk), {"stock": "8", "next": next_url})
    assert response["Location"] == url("list", shop)


# --- Pages: bulk actions, status, duplicate --------------------------------------------------


def test_bulk_publish_from_the_list(owner_client, shop):
    drafts = [ProductFactory(merchant=shop, status="draft", published_at=None) for _ in range(3)]
    foreign = ProductFactory(status="draft", published_at=None)

    response = owner_client.post(
        url("bulk", shop),
        {"action": "publish", "products": [p.pk for p in drafts[:2]] + [foreign.pk]},
        follow=True,
    )

    assert Product.objects.filter(merchant=shop, status="published").count() == 2
    foreign.refresh_from_db()
    assert foreign.status == "draft"
    with translation.override("fr"):
        expected = ngettext("%(count)s product published.", "%(count)s products published.", 2) % {
            "count": 2
        }
    assert expected in [str(m) for m in response.context["messages"]]


def test_bulk_change_of_category(owner_client, shop, taxonomy):
    products = [ProductFactory(merchant=shop) for _ in range(2)]
    cheese = taxonomy["cheese"]
    owner_client.post(
        url("bulk", shop),
        {"action": "category", "category": cheese.pk, "products": [p.pk for p in products]},
    )
    assert set(Product.objects.values_list("category", flat=True)) == {cheese.pk}


def test_bulk_action_without_a_ticked_row_says_so(owner_client, shop):
    response = owner_client.post(url("bulk", shop), {"action": "archive"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        french("Tick at least one product first.")
    ]


def test_status_buttons(owner_client, shop):
    product = ProductFactory(merchant=shop, status="draft", published_at=None)
    for action, status in [
        ("publish", "published"),
        ("unpublish", "draft"),
        ("archive", "archived"),
    ]:
        response = owner_client.post(url("status", shop, product.pk), {"action": action})
        assert response.status_code == 302
        product.refresh_from_db()
        assert product.status == status


def test_publishing_from_a_row_with_htmx_returns_the_row(owner_client, shop):
    product = ProductFactory(merchant=shop, status="draft", published_at=None)
    response = htmx(
        owner_client, url("status", shop, product.pk), {"action": "publish", "row": "1"}
    )
    html = response.content.decode()
    assert f'id="product-{product.pk}"' in html
    assert "badge--published" in html


def test_duplicate_button_opens_the_copy(owner_client, shop):
    product = ProductFactory(merchant=shop, sku="A-1")
    response = owner_client.post(url("duplicate", shop, product.pk))
    copy = Product.objects.exclude(pk=product.pk).get(merchant=shop)
    assert response["Location"] == url("edit", shop, copy.pk)
    assert (copy.status, copy.sku) == ("draft", "")


# --- Pages: photos ---------------------------------------------------------------------------


def test_adding_photos_on_the_edit_page_lists_each_refused_file(owner_client, shop):
    product = ProductFactory(merchant=shop)
    response = owner_client.post(
        url("photo_add", shop, product.pk),
        {
            "photos": [
                jpeg_upload("bon.jpg"),
                SimpleUploadedFile("faux.jpg", b"GIF89a nope", content_type="image/jpeg"),
            ]
        },
    )
    assert response.status_code == 200
    assert product.images.count() == 1
    assert response.context["refused"][0][0] == "faux.jpg"
    html = response.content.decode()
    assert "faux.jpg" in html
    assert french("Processing") in html  # the new photo waits for the worker


def test_adding_valid_photos_goes_back_to_the_photos(owner_client, shop):
    product = ProductFactory(merchant=shop)
    response = owner_client.post(
        url("photo_add", shop, product.pk), {"photos": [jpeg_upload(), jpeg_upload()]}
    )
    assert response["Location"] == url("edit", shop, product.pk) + "#photos"
    assert product.images.count() == 2


def test_reorder_with_the_drag_and_drop_script(owner_client, shop):
    product = ProductFactory(merchant=shop)
    a, b, c = photos_of(product, 3)

    response = htmx(
        owner_client, url("photo_reorder", shop, product.pk), {"order": [b.pk, c.pk, a.pk]}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="photo-manager"')
    assert (
        html.index(f'id="photo-{b.pk}"')
        < html.index(f'id="photo-{c.pk}"')
        < html.index(f'id="photo-{a.pk}"')
    )
    assert positions(product) == [(b.pk, 0), (c.pk, 1), (a.pk, 2)]


def test_photo_buttons_without_javascript(owner_client, shop):
    product = ProductFactory(merchant=shop)
    a, b, c = photos_of(product, 3)

    response = owner_client.post(url("photo_move", shop, product.pk, c.pk), {"direction": "-1"})
    assert response["Location"] == url("edit", shop, product.pk) + f"#photo-{c.pk}"
    assert positions(product) == [(a.pk, 0), (c.pk, 1), (b.pk, 2)]

    owner_client.post(url("photo_main", shop, product.pk, b.pk))
    assert positions(product) == [(b.pk, 0), (a.pk, 1), (c.pk, 2)]

    owner_client.post(url("photo_update", shop, product.pk, a.pk), {"alt_text": "Le dos"})
    a.refresh_from_db()
    assert a.alt_text == "Le dos"

    owner_client.post(url("photo_delete", shop, product.pk, b.pk))
    assert positions(product) == [(a.pk, 0), (c.pk, 1)]


def test_the_edit_page_marks_the_main_photo_and_its_move_buttons(owner_client, shop):
    product = ProductFactory(merchant=shop)
    a, _b = photos_of(product, 2)
    html = owner_client.get(url("edit", shop, product.pk)).content.decode()
    assert html.count(french("Main photo")) == 1
    assert f'id="photo-{a.pk}-up" name="direction" value="-1"' in html
    assert "data-photo-handle" in html
    assert "js/product-photos.js" in html


def test_a_pending_photo_is_polled_until_it_is_ready(owner_client, owner, shop):
    product = ProductFactory(merchant=shop)
    image = services.product_image_add(actor=owner, product=product, upload=jpeg_upload())
    thumb = url("photo_thumb", shop, product.pk, image.pk)

    pending = owner_client.get(thumb).content.decode()
    assert 'hx-trigger="every 2s"' in pending
    assert french("Processing") in pending

    services.product_image_process(image_id=image.pk)
    ready = owner_client.get(thumb).content.decode()
    assert "hx-trigger" not in ready
    assert "<picture>" in ready
