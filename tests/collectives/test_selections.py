"""Selections: the services' rules and permissions (organisers curate, shops propose their own
published products, nobody edits a product), positions, the visibility window and what the
public selectors show."""

import datetime as dt
import io
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from PIL import Image

from catalog.models import Product
from catalog.permissions import can_edit_product
from collectives.models import Membership, Selection, SelectionItem, SelectionPhoto
from collectives.selectors.selections import (
    featured_selections,
    selection_addable_products,
    selection_items,
    selection_products,
    shop_open_selections,
    visible_selections,
)
from collectives.services import selections as services
from merchants.services.photos import photo_process
from tests.factories import (
    CollectiveFactory,
    MembershipFactory,
    MerchantFactory,
    MerchantMemberFactory,
    OrganiserFactory,
    ProductFactory,
    ProductImageFactory,
    SelectionFactory,
    SelectionItemFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Item = SelectionItem.Status


def member_shop(collective, **kwargs):
    shop = MerchantFactory(**kwargs)
    MembershipFactory(collective=collective, merchant=shop)
    return shop


def jpeg_upload(name="couverture.jpg", color="darkred"):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 360), color).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def cover(selection, status="ready", alt_text=""):
    """A cover row as the photo task leaves it (no file needed: pages only build URLs)."""
    photo = SelectionPhoto(
        selection=selection,
        status=status,
        position=0,
        width=1600,
        height=900,
        alt_text=alt_text,
        renditions={
            "320": {"width": 320, "height": 180, "webp": "c-320.webp", "jpeg": "c-320.jpg"},
            "800": {"width": 800, "height": 450, "webp": "c-800.webp", "jpeg": "c-800.jpg"},
        },
    )
    photo.image.name = "selections/c.jpg"
    photo.save()
    return photo


def check_deferred_constraints():
    """The (selection, position) unique constraint is DEFERRED and a test transaction never
    commits: ask PostgreSQL to check it now (IntegrityError if violated)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def accepted(selection):
    """(product title, position) of the accepted items, in order."""
    return list(
        selection.items.filter(status=Item.ACCEPTED)
        .order_by("position")
        .values_list("product__title", "position")
    )


@pytest.fixture
def collective():
    return CollectiveFactory(name="Cœur de Bastide")


@pytest.fixture
def organiser(collective):
    return OrganiserFactory(collective=collective, role="organiser").user


@pytest.fixture
def shop(collective):
    return member_shop(collective, name="Fromagerie du Lot")


@pytest.fixture
def shopkeeper(shop):
    """A member of the shop's staff (not its owner): staff may propose too."""
    return MerchantMemberFactory(merchant=shop, role="staff").user


@pytest.fixture
def selection(collective):
    return SelectionFactory(collective=collective, title="Noël local", status="draft")


# --- Creating and editing ---------------------------------------------------------------------


def test_a_selection_is_created_as_a_draft_with_a_slug_unique_in_its_collective(
    collective, organiser
):
    first = services.selection_create(actor=organiser, collective=collective, title="Noël local")
    second = services.selection_create(actor=organiser, collective=collective, title="Noël local")
    elsewhere = OrganiserFactory(role="organiser")
    other = services.selection_create(
        actor=elsewhere.user, collective=elsewhere.collective, title="Noël local"
    )
    assert (first.slug, second.slug, other.slug) == ("noel-local", "noel-local-2", "noel-local")
    assert first.status == Selection.Status.DRAFT
    assert first.created_by == organiser


def test_only_organisers_of_that_collective_create_or_edit_selections(collective, selection):
    outsiders = [
        UserFactory(),
        OrganiserFactory(role="admin").user,  # organiser of another collective
        MerchantMemberFactory(merchant=member_shop(collective), role="owner").user,
    ]
    for outsider in outsiders:
        with pytest.raises(PermissionDenied):
            services.selection_create(actor=outsider, collective=collective, title="Nope")
        with pytest.raises(PermissionDenied):
            services.selection_update(actor=outsider, selection=selection, title="Nope")
        with pytest.raises(PermissionDenied):
            services.selection_publish(actor=outsider, selection=selection)
    assert not Selection.objects.filter(title="Nope").exists()


def test_the_visibility_window_must_end_after_it_starts(collective, organiser):
    start = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(ValidationError) as error:
        services.selection_create(
            actor=organiser,
            collective=collective,
            title="Fête des mères",
            visible_from=start,
            visible_until=start,
        )
    assert list(error.value.error_dict) == ["visible_until"]
    # Either end may be left open.
    selection = services.selection_create(
        actor=organiser, collective=collective, title="Fête des mères", visible_until=start
    )
    assert selection.visible_from is None


def test_the_title_is_required_and_every_problem_is_reported_at_once(collective, organiser):
    start = timezone.now()
    with pytest.raises(ValidationError) as error:
        services.selection_create(
            actor=organiser,
            collective=collective,
            title="",
            visible_from=start,
            visible_until=start - dt.timedelta(hours=1),
            cover=SimpleUploadedFile("notes.txt", b"pas une photo", content_type="text/plain"),
        )
    assert set(error.value.error_dict) == {"title", "visible_until", "cover"}
    assert not Selection.objects.exists()


def test_the_slug_follows_the_title_while_draft_then_stays(organiser, selection):
    SelectionItemFactory(selection=selection)
    services.selection_update(actor=organiser, selection=selection, title="Noël en Bastide")
    selection.refresh_from_db()
    assert selection.slug == "noel-en-bastide"
    services.selection_publish(actor=organiser, selection=selection)
    services.selection_update(actor=organiser, selection=selection, title="Noël 2025")
    selection.refresh_from_db()
    assert (selection.title, selection.slug) == ("Noël 2025", "noel-en-bastide")


def test_update_refuses_fields_it_does_not_edit(organiser, selection):
    with pytest.raises(TypeError):
        services.selection_update(actor=organiser, selection=selection, status="published")


def test_a_cover_replaces_the_previous_one_at_position_0_and_is_processed_after_commit(
    organiser, selection, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        services.selection_update(
            actor=organiser, selection=selection, cover=jpeg_upload(), cover_alt_text="Vitrine"
        )
    assert len(callbacks) == 1  # the processing is queued once the row is committed
    first = SelectionPhoto.objects.get(selection=selection)
    assert (first.position, first.status, first.alt_text) == (0, "pending", "Vitrine")
    storage, first_name = first.image.storage, first.image.name
    assert storage.exists(first_name)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.selection_update(actor=organiser, selection=selection, cover=jpeg_upload())
    second = SelectionPhoto.objects.get(selection=selection)
    assert second.pk != first.pk
    assert second.position == 0
    for callback in callbacks:  # the old file goes after commit; the new one is queued
        if callback.__name__ == "delete_files":
            callback()
    assert not storage.exists(first_name)
    check_deferred_constraints()

    services.selection_update(actor=organiser, selection=selection, remove_cover=True)
    assert not SelectionPhoto.objects.filter(selection=selection).exists()


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_stored(organiser, selection):
    with pytest.raises(ValidationError) as error:
        services.selection_update(
            actor=organiser,
            selection=selection,
            cover=SimpleUploadedFile("notes.txt", b"pas une photo", content_type="text/plain"),
        )
    assert "cover" in error.value.error_dict
    assert not SelectionPhoto.objects.exists()


# --- Publishing ------------------------------------------------------------------------------


def test_an_empty_selection_cannot_be_published(organiser, selection, shop):
    with pytest.raises(ValidationError) as error:
        services.selection_publish(actor=organiser, selection=selection)
    assert error.value.code == "empty"
    services.selection_add_product(
        actor=organiser, selection=selection, product=ProductFactory(merchant=shop)
    )
    assert services.selection_publish(actor=organiser, selection=selection).status == "published"
    assert services.selection_unpublish(actor=organiser, selection=selection).status == "draft"


# --- Adding, ordering, removing ----------------------------------------------------------------


def test_organisers_add_published_products_of_active_members_at_the_end(organiser, selection, shop):
    products = [ProductFactory(merchant=shop, title=t) for t in ("Tomme", "Brie", "Comté")]
    for product in products:
        item = services.selection_add_product(actor=organiser, selection=selection, product=product)
        assert item.status == Item.ACCEPTED
    assert accepted(selection) == [("Tomme", 0), ("Brie", 1), ("Comté", 2)]
    with pytest.raises(ValidationError) as error:
        services.selection_add_product(actor=organiser, selection=selection, product=products[0])
    assert error.value.code == "already_in"


@pytest.mark.parametrize(
    "case", ["draft product", "draft shop", "not a member", "suspended member", "left"]
)
def test_only_products_of_the_shared_catalog_can_be_added(collective, organiser, selection, case):
    if case == "draft product":
        product = ProductFactory(merchant=member_shop(collective), status="draft")
    elif case == "draft shop":
        product = ProductFactory(merchant=member_shop(collective, status="draft"))
    elif case == "not a member":
        product = ProductFactory()
    else:
        product = ProductFactory(merchant=member_shop(collective))
        status = "suspended" if case == "suspended member" else "left"
        Membership.objects.filter(merchant=product.merchant).update(
            status=status, left_at=timezone.now()
        )
    with pytest.raises(ValidationError) as error:
        services.selection_add_product(actor=organiser, selection=selection, product=product)
    assert error.value.code == "not_a_member_product"
    assert not selection.items.exists()


def test_moving_and_removing_keep_positions_unique_and_contiguous(organiser, selection, shop):
    items = [
        services.selection_add_product(
            actor=organiser, selection=selection, product=ProductFactory(merchant=shop, title=t)
        )
        for t in "ABCD"
    ]
    services.selection_move_item(actor=organiser, item=items[2], offset=-1)
    check_deferred_constraints()
    assert [t for t, _ in accepted(selection)] == ["A", "C", "B", "D"]
    services.selection_move_item(actor=organiser, item=items[0], offset=-1)  # already first
    services.selection_move_item(actor=organiser, item=items[3], offset=+1)  # already last
    assert accepted(selection) == [("A", 0), ("C", 1), ("B", 2), ("D", 3)]
    services.selection_remove_item(actor=organiser, item=items[2])
    check_deferred_constraints()
    assert accepted(selection) == [("A", 0), ("B", 1), ("D", 2)]
    with pytest.raises(ValidationError):
        services.selection_remove_item(actor=organiser, item=items[2])


@pytest.mark.django_db(transaction=True)
def test_concurrent_additions_get_distinct_positions():
    """Eight organisers' clicks at once: the selection's row lock serialises them, so every
    product gets its own position (no IntegrityError at commit)."""
    collective = CollectiveFactory()
    organiser = OrganiserFactory(collective=collective).user
    selection = SelectionFactory(collective=collective, status="draft")
    shop = member_shop(collective)
    products = ProductFactory.create_batch(8, merchant=shop)
    barrier = threading.Barrier(8)
    errors: list[Exception] = []

    def add(product):
        try:
            barrier.wait(timeout=10)
            services.selection_add_product(actor=organiser, selection=selection, product=product)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(product,)) for product in products]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(p for _, p in accepted(selection)) == list(range(8))


# --- Proposals -----------------------------------------------------------------------------


def test_a_shops_staff_proposes_its_own_published_product_with_a_note(selection, shop, shopkeeper):
    product = ProductFactory(merchant=shop)
    item = services.selection_propose(
        actor=shopkeeper, selection=selection, product=product, note="  Affinée 12 mois. "
    )
    assert (item.status, item.position, item.note) == (Item.PROPOSED, None, "Affinée 12 mois.")
    assert item.proposed_by == shopkeeper
    with pytest.raises(ValidationError) as error:
        services.selection_propose(actor=shopkeeper, selection=selection, product=product)
    assert error.value.error_dict["product"][0].code == "already_proposed"


def test_a_shop_cannot_propose_another_shops_product(collective, selection, shopkeeper):
    neighbour = ProductFactory(merchant=member_shop(collective))
    with pytest.raises(PermissionDenied):
        services.selection_propose(actor=shopkeeper, selection=selection, product=neighbour)
    assert not selection.items.exists()


def test_a_shop_cannot_propose_an_unpublished_product(selection, shop, shopkeeper):
    draft = ProductFactory(merchant=shop, status="draft", published_at=None)
    with pytest.raises(ValidationError) as error:
        services.selection_propose(actor=shopkeeper, selection=selection, product=draft)
    assert error.value.error_dict["product"][0].code == "unpublished"


def test_only_active_members_propose_to_open_selections(collective, selection, shop, shopkeeper):
    product = ProductFactory(merchant=shop)
    outsider = MerchantMemberFactory(role="staff")
    with pytest.raises(ValidationError) as error:
        services.selection_propose(
            actor=outsider.user,
            selection=selection,
            product=ProductFactory(merchant=outsider.merchant),
        )
    assert error.value.code == "not_a_member"

    Selection.objects.filter(pk=selection.pk).update(accepts_proposals=False)
    with pytest.raises(ValidationError) as error:
        services.selection_propose(actor=shopkeeper, selection=selection, product=product)
    assert error.value.code == "closed"

    Selection.objects.filter(pk=selection.pk).update(
        accepts_proposals=True, visible_until=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(ValidationError) as error:
        services.selection_propose(actor=shopkeeper, selection=selection, product=product)
    assert error.value.code == "over"


def test_an_accepted_proposal_joins_the_end_and_a_declined_one_stays_declined(
    organiser, selection, shop, shopkeeper
):
    first = services.selection_add_product(
        actor=organiser, selection=selection, product=ProductFactory(merchant=shop, title="A")
    )
    liked = services.selection_propose(
        actor=shopkeeper, selection=selection, product=ProductFactory(merchant=shop, title="B")
    )
    declined_product = ProductFactory(merchant=shop, title="C")
    declined = services.selection_propose(
        actor=shopkeeper, selection=selection, product=declined_product
    )
    services.selection_proposal_accept(actor=organiser, item=liked)
    services.selection_proposal_decline(actor=organiser, item=declined)
    assert accepted(selection) == [("A", 0), ("B", 1)]
    declined.refresh_from_db()
    assert (declined.status, declined.position) == (Item.DECLINED, None)
    assert declined.answered_at is not None
    assert first.answered_at is None  # chosen by the organisers, not a proposal

    # Answered once: a second click (another organiser, a stale page) is refused.
    with pytest.raises(ValidationError) as error:
        services.selection_proposal_accept(actor=organiser, item=declined)
    assert error.value.code == "answered"
    # The shop cannot propose a declined product again for this selection…
    with pytest.raises(ValidationError) as error:
        services.selection_propose(actor=shopkeeper, selection=selection, product=declined_product)
    assert error.value.error_dict["product"][0].code == "declined"
    # …but the organisers may change their mind.
    services.selection_add_product(actor=organiser, selection=selection, product=declined_product)
    assert accepted(selection) == [("A", 0), ("B", 1), ("C", 2)]


def test_a_proposal_of_a_product_withdrawn_meanwhile_cannot_be_accepted(
    organiser, selection, shop, shopkeeper
):
    product = ProductFactory(merchant=shop)
    item = services.selection_propose(actor=shopkeeper, selection=selection, product=product)
    Product.objects.filter(pk=product.pk).update(status="archived")
    with pytest.raises(ValidationError) as error:
        services.selection_proposal_accept(actor=organiser, item=item)
    assert error.value.code == "not_a_member_product"


def test_the_shop_withdraws_a_waiting_proposal_and_may_propose_it_again(
    organiser, selection, shop, shopkeeper
):
    product = ProductFactory(merchant=shop)
    item = services.selection_propose(actor=shopkeeper, selection=selection, product=product)
    with pytest.raises(PermissionDenied):  # another shop's staff
        services.selection_proposal_withdraw(
            actor=MerchantMemberFactory(role="owner").user, item=item
        )
    with pytest.raises(PermissionDenied):  # the organisers answer, they do not withdraw
        services.selection_proposal_withdraw(actor=organiser, item=item)
    services.selection_proposal_withdraw(actor=shopkeeper, item=item)
    assert not selection.items.exists()
    again = services.selection_propose(actor=shopkeeper, selection=selection, product=product)
    services.selection_proposal_accept(actor=organiser, item=again)
    with pytest.raises(ValidationError) as error:  # answered: no longer withdrawable
        services.selection_proposal_withdraw(actor=shopkeeper, item=again)
    assert error.value.code == "answered"


def test_organisers_of_another_collective_touch_nothing(selection, shop, shopkeeper):
    stranger = OrganiserFactory(role="admin").user
    proposal = services.selection_propose(
        actor=shopkeeper, selection=selection, product=ProductFactory(merchant=shop)
    )
    item = SelectionItemFactory(selection=selection, product=ProductFactory(merchant=shop))
    for call in (
        lambda: services.selection_proposal_accept(actor=stranger, item=proposal),
        lambda: services.selection_proposal_decline(actor=stranger, item=proposal),
        lambda: services.selection_move_item(actor=stranger, item=item, offset=1),
        lambda: services.selection_remove_item(actor=stranger, item=item),
        lambda: services.selection_add_product(
            actor=stranger, selection=selection, product=ProductFactory(merchant=shop)
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_organisers_never_edit_a_members_product(organiser, selection, shop, shopkeeper):
    """Curating points at products and changes nothing of them; and the product rules give
    an organiser no right on a member's product."""
    product = ProductFactory(merchant=shop, title="Tomme", price="9.80")
    before = Product.objects.filter(pk=product.pk).values().get()
    proposal = services.selection_propose(actor=shopkeeper, selection=selection, product=product)
    services.selection_proposal_accept(actor=organiser, item=proposal)
    services.selection_move_item(actor=organiser, item=proposal, offset=1)
    services.selection_remove_item(actor=organiser, item=proposal)
    assert Product.objects.filter(pk=product.pk).values().get() == before
    assert not can_edit_product(organiser, product)


# --- What the public sees ------------------------------------------------------------------


def test_the_window_decides_when_a_published_selection_is_visible(collective):
    now = timezone.now()
    hour = dt.timedelta(hours=1)
    shown = {
        SelectionFactory(collective=collective, title="open"),
        SelectionFactory(collective=collective, title="started", visible_from=now - hour),
        SelectionFactory(collective=collective, title="until", visible_until=now + hour),
    }
    SelectionFactory(collective=collective, title="draft", status="draft")
    SelectionFactory(collective=collective, title="future", visible_from=now + hour)
    SelectionFactory(collective=collective, title="over", visible_until=now - hour)
    SelectionFactory(title="elsewhere")
    assert {t.selection for t in visible_selections(collective=collective)} == shown


def test_public_products_are_the_accepted_ones_still_shown_in_order(collective):
    selection = SelectionFactory(collective=collective)
    shop, leaving = member_shop(collective), member_shop(collective)
    b = SelectionItemFactory(selection=selection, product__merchant=shop, position=2)
    a = SelectionItemFactory(selection=selection, product__merchant=shop, position=1)
    unpublished = SelectionItemFactory(selection=selection, product__merchant=shop, position=3)
    Product.objects.filter(pk=unpublished.product_id).update(status="draft")
    gone = SelectionItemFactory(selection=selection, product__merchant=leaving, position=4)
    Membership.objects.filter(merchant=leaving).update(status="left", left_at=timezone.now())
    SelectionItemFactory(
        selection=selection, product__merchant=shop, status=Item.PROPOSED, position=None
    )
    SelectionItemFactory(
        selection=selection, product__merchant=shop, status=Item.DECLINED, position=None
    )
    products = selection_products(selection=selection, collective=collective)
    assert products == [a.product, b.product]
    # The organisers still see them all, the hidden ones flagged.
    shown = {item.product_id: item.is_shown for item in selection_items(selection=selection)}
    assert shown == {
        a.product_id: True,
        b.product_id: True,
        unpublished.product_id: False,
        gone.product_id: False,
    }


def test_featured_selections_are_the_visible_featured_ones_with_cover_and_first_products(
    collective, django_assert_num_queries
):
    shop = member_shop(collective)
    featured = SelectionFactory(collective=collective, title="Noël local")
    cover(featured)
    for position in range(6):
        item = SelectionItemFactory(selection=featured, product__merchant=shop, position=position)
        ProductImageFactory(product=item.product, position=0)
    SelectionFactory(collective=collective, is_featured=False)
    SelectionFactory(collective=collective, status="draft")
    with django_assert_num_queries(4):  # selections, covers, first items, their photos
        teasers = featured_selections(collective=collective)
        assert [t.selection for t in teasers] == [featured]
        assert teasers[0].cover is not None
        assert len(teasers[0].products) == 4
        assert all(len(p.images.all()) == 1 for p in teasers[0].products)


def test_featured_selections_take_constant_queries_and_respect_the_limit(
    django_assert_num_queries,
):
    for count in (2, 8):
        collective = CollectiveFactory()
        shop = member_shop(collective)
        for _ in range(count):
            selection = SelectionFactory(collective=collective)
            SelectionItemFactory.create_batch(count, selection=selection, product__merchant=shop)
        with django_assert_num_queries(4):
            teasers = featured_selections(collective=collective, limit=3)
            assert len(teasers) == min(count, 3)
            assert all(len(t.products) == min(count, 4) for t in teasers)


def test_pending_covers_are_not_shown_to_the_public(collective):
    selection = SelectionFactory(collective=collective)
    cover(selection, status="pending")
    assert visible_selections(collective=collective)[0].cover is None


# --- What organisers and shops are offered -------------------------------------------------


def test_the_catalog_search_finds_by_title_or_shop_and_skips_what_is_in(
    collective, organiser, selection
):
    bakery = member_shop(collective, name="Boulangerie Éloi")
    cheese = member_shop(collective, name="Fromagerie")
    bread = ProductFactory(merchant=bakery, title="Pain de campagne")
    cake = ProductFactory(merchant=bakery, title="Gâteau basque")
    tomme = ProductFactory(merchant=cheese, title="Tomme")
    ProductFactory(title="Pain d'ailleurs")  # not a member
    assert set(selection_addable_products(selection=selection, search="eloi")) == {bread, cake}
    assert selection_addable_products(selection=selection, search="GATEAU") == [cake]
    services.selection_add_product(actor=organiser, selection=selection, product=bread)
    assert set(selection_addable_products(selection=selection)) == {cake, tomme}


def test_a_shop_is_offered_the_open_selections_of_its_collectives(collective, shop):
    now = timezone.now()
    draft = SelectionFactory(collective=collective, status="draft", title="Prepared")
    live = SelectionFactory(collective=collective, visible_until=now + dt.timedelta(days=1))
    SelectionFactory(collective=collective, accepts_proposals=False)
    SelectionFactory(collective=collective, visible_until=now - dt.timedelta(days=1))
    SelectionFactory()  # a collective the shop is not in
    suspended = CollectiveFactory()
    MembershipFactory(collective=suspended, merchant=shop, status="suspended")
    SelectionFactory(collective=suspended)
    assert set(shop_open_selections(merchant=shop)) == {draft, live}


def test_an_uploaded_cover_is_shown_once_the_photo_task_has_processed_it(
    collective, organiser, selection
):
    SelectionItemFactory(selection=selection, product__merchant=member_shop(collective))
    services.selection_update(actor=organiser, selection=selection, cover=jpeg_upload())
    services.selection_publish(actor=organiser, selection=selection)
    assert visible_selections(collective=collective)[0].cover is None  # still pending
    photo = SelectionPhoto.objects.get(selection=selection)
    photo_process(photo_model=SelectionPhoto, photo_id=photo.pk)
    shown = visible_selections(collective=collective)[0].cover
    assert shown == photo
    assert shown.is_ready
    assert shown.srcset_webp
