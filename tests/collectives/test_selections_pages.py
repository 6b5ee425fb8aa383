"""Selection pages: the public list and page (window, preview, product cards, cover), the
organiser space (who may enter, the form, adding, ordering, answering proposals, htmx), a
shop's side (proposing, withdrawing), and the query counts of the list pages.

Page text is asserted on data (titles, slugs) or structure, never on translated strings."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from collectives.models import Membership, Selection, SelectionItem
from collectives.services import selections as services
from tests.collectives.test_public_collective import ready_image
from tests.collectives.test_selections import (  # fixtures too: the same town
    collective,
    cover,
    jpeg_upload,
    member_shop,
    organiser,
    shop,
    shopkeeper,
)
from tests.factories import (
    CollectiveFactory,
    MerchantMemberFactory,
    OrganiserFactory,
    ProductFactory,
    SelectionFactory,
    SelectionItemFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Item = SelectionItem.Status
FIXTURES = (collective, organiser, shop, shopkeeper)  # used as fixtures by name


def ready_cover(selection):
    return cover(selection, alt_text="La vitrine de Noël")


def public_url(selection):
    return reverse("selections:detail", args=[selection.collective.slug, selection.slug])


def org_url(name, collective, *args):
    return reverse(f"organiser_selections:{name}", args=[collective.slug, *args])


def shop_url(name, shop, *args):
    return reverse(f"shop_selections:{name}", args=[shop.slug, *args])


def product_slugs(content: str) -> list[str]:
    return re.findall(r'<li data-product="([^"]+)"', content)


# --- Public pages --------------------------------------------------------------------------


def test_the_public_page_shows_cover_text_and_product_cards_in_order(client, collective, shop):
    selection = SelectionFactory(collective=collective, title="Noël local", text="Des idées.")
    ready_cover(selection)
    second = SelectionItemFactory(selection=selection, product__merchant=shop, position=1)
    first = SelectionItemFactory(selection=selection, product__merchant=shop, position=0)
    ready_image(first.product)
    response = client.get(public_url(selection))
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Noël local</h1>" in content
    assert "Des idées." in content
    assert product_slugs(content) == [first.product.slug, second.product.slug]
    cover_html = re.search(r'<div class="selection__cover">(.*?)</div>', content, re.S).group(1)
    assert "<picture>" in cover_html
    assert 'type="image/webp"' in cover_html
    assert 'alt="La vitrine de Noël"' in cover_html
    assert "data-preview" not in content


@pytest.mark.parametrize(
    "state",
    [
        {"status": "draft"},
        {"visible_from": timezone.now() + dt.timedelta(days=1)},
        {"visible_until": timezone.now() - dt.timedelta(seconds=1)},
    ],
    ids=["draft", "not yet", "over"],
)
def test_outside_its_window_or_unpublished_a_selection_is_404_except_to_its_organisers(
    client, collective, organiser, state
):
    selection = SelectionFactory(collective=collective, **state)
    assert client.get(public_url(selection)).status_code == 404
    client.force_login(OrganiserFactory(role="admin").user)  # organiser of another collective
    assert client.get(public_url(selection)).status_code == 404
    client.force_login(organiser)
    response = client.get(public_url(selection))
    assert response.status_code == 200
    assert "data-preview" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex"
    # The public list never shows it, not even to organisers.
    listing = client.get(reverse("selections:list", args=[collective.slug])).content.decode()
    assert f'data-selection="{selection.slug}"' not in listing


def test_a_selection_of_another_collective_is_404(client, collective):
    other = SelectionFactory()
    url = reverse("selections:detail", args=[collective.slug, other.slug])
    assert client.get(url).status_code == 404


def test_the_public_list_shows_visible_selections_with_their_first_products(
    client, collective, shop
):
    shown = SelectionFactory(collective=collective, title="Nouveautés")
    items = SelectionItemFactory.create_batch(6, selection=shown, product__merchant=shop)
    SelectionFactory(collective=collective, status="draft", title="Brouillon")
    content = client.get(reverse("selections:list", args=[collective.slug])).content.decode()
    assert f'data-selection="{shown.slug}"' in content
    assert "Brouillon" not in content
    assert content.count("product-card__shop") == 4  # the first four products
    assert items[0].product.get_absolute_url() in content
    assert public_url(shown) in content


def make_public_selection(collective, products: int) -> Selection:
    selection = SelectionFactory(collective=collective)
    ready_cover(selection)
    shops = [member_shop(collective) for _ in range(3)]
    for index in range(products):
        item = SelectionItemFactory(selection=selection, product__merchant=shops[index % 3])
        ready_image(item.product)
    return selection


def test_the_public_selection_page_takes_the_same_queries_at_3_and_30_products(
    client, django_assert_max_num_queries
):
    counts = []
    for size in (3, 30):
        selection = make_public_selection(CollectiveFactory(), size)
        # collective, selection, its cover, products (with shops), their photos.
        with django_assert_max_num_queries(5) as captured:
            response = client.get(public_url(selection))
        assert response.status_code == 200
        assert len(product_slugs(response.content.decode())) == size
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_the_public_list_takes_the_same_queries_at_2_and_10_selections(
    client, django_assert_max_num_queries
):
    counts = []
    for size in (2, 10):
        collective = CollectiveFactory()
        for _ in range(size):
            make_public_selection(collective, size)
        # collective, selections, covers, first items (with products and shops), photos.
        with django_assert_max_num_queries(5) as captured:
            response = client.get(reverse("selections:list", args=[collective.slug]))
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


# --- The organiser space -------------------------------------------------------------------


ORGANISER_PAGES = [("list", ()), ("create", ()), ("detail", (True,)), ("edit", (True,))]


def page_url(name, selection, needs_id):
    return org_url(name, selection.collective, *([selection.pk] if needs_id else []))


@pytest.mark.parametrize(("name", "args"), ORGANISER_PAGES)
def test_organiser_pages_are_404_to_others_and_ask_visitors_to_log_in(
    client, collective, organiser, name, args
):
    selection = SelectionFactory(collective=collective)
    url = page_url(name, selection, bool(args))
    response = client.get(url)
    assert response.status_code == 302
    assert "next=" in response.url
    for outsider in (
        UserFactory(),
        OrganiserFactory(role="admin").user,
        MerchantMemberFactory(merchant=member_shop(collective), role="owner").user,
    ):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.force_login(organiser)
    assert client.get(url).status_code == 200


def test_a_selection_of_another_collective_is_404_in_my_space(client, collective, organiser):
    foreign = SelectionFactory()
    item = SelectionItemFactory(selection=foreign)
    client.force_login(organiser)
    assert client.get(org_url("detail", collective, foreign.pk)).status_code == 404
    assert client.post(org_url("publish", collective, foreign.pk)).status_code == 404
    response = client.post(org_url("item_remove", collective, foreign.pk, item.pk))
    assert response.status_code == 404
    assert SelectionItem.objects.filter(pk=item.pk).exists()


def test_an_organiser_creates_a_selection_with_dates_in_paris_time(client, collective, organiser):
    client.force_login(organiser)
    response = client.post(
        org_url("create", collective),
        {
            "title": "Noël local",
            "text": "Les cadeaux de la bastide.",
            "visible_from": "2030-12-01T09:00",
            "visible_until": "2030-12-25T00:00",
            "is_featured": "on",
            "cover": jpeg_upload(),
            "cover_alt_text": "La place des arcades",
        },
    )
    selection = Selection.objects.get(collective=collective)
    assert response.status_code == 302
    assert response.url == org_url("detail", collective, selection.pk)
    assert selection.visible_from == dt.datetime(2030, 12, 1, 8, 0, tzinfo=dt.UTC)  # CET = +1
    assert (selection.is_featured, selection.accepts_proposals) == (True, False)
    assert selection.photos.get().alt_text == "La place des arcades"


def test_bad_input_is_shown_next_to_the_fields_and_kept(client, collective, organiser):
    client.force_login(organiser)
    response = client.post(
        org_url("create", collective),
        {
            "title": "Fête des mères",
            "visible_from": "2030-05-20T10:00",
            "visible_until": "2030-05-19T10:00",
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert re.search(r'form-field--error.*?id="id_visible_until"', content, re.S)
    assert 'value="Fête des mères"' in content
    assert not Selection.objects.exists()


def test_the_edit_form_is_filled_in_paris_time_and_saves(client, collective, organiser):
    selection = SelectionFactory(
        collective=collective,
        status="draft",
        visible_from=dt.datetime(2030, 7, 1, 6, 30, tzinfo=dt.UTC),
    )
    ready_cover(selection)
    client.force_login(organiser)
    content = client.get(org_url("edit", collective, selection.pk)).content.decode()
    assert 'value="2030-07-01T08:30"' in content  # CEST = +2
    assert 'name="remove_cover"' in content
    response = client.post(
        org_url("edit", collective, selection.pk),
        {"title": "Été", "visible_from": "2030-07-01T08:30", "remove_cover": "on"},
    )
    assert response.status_code == 302
    selection.refresh_from_db()
    assert selection.title == "Été"
    assert not selection.photos.exists()


def test_publishing_an_empty_selection_says_why_and_keeps_the_draft(
    client, collective, organiser, shop
):
    selection = SelectionFactory(collective=collective, status="draft")
    client.force_login(organiser)
    response = client.post(org_url("publish", collective, selection.pk), follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    SelectionItemFactory(selection=selection, product__merchant=shop)
    client.post(org_url("publish", collective, selection.pk))
    assert Selection.objects.get(pk=selection.pk).status == "published"
    client.post(org_url("unpublish", collective, selection.pk))
    assert Selection.objects.get(pk=selection.pk).status == "draft"


def test_an_organiser_searches_adds_moves_and_removes_without_javascript(
    client, collective, organiser
):
    selection = SelectionFactory(collective=collective, status="draft")
    bakery = member_shop(collective, name="Boulangerie Éloi")
    bread = ProductFactory(merchant=bakery, title="Pain de campagne")
    cake = ProductFactory(merchant=bakery, title="Gâteau basque")
    other = ProductFactory(merchant=member_shop(collective), title="Tomme")
    client.force_login(organiser)

    content = client.get(org_url("detail", collective, selection.pk), {"q": "eloi"}).content
    found = re.findall(r'data-addable-product="([^"]+)"', content.decode())
    assert sorted(found) == sorted([bread.slug, cake.slug])

    for product in (bread, cake, other):
        response = client.post(
            org_url("add_product", collective, selection.pk) + "?q=eloi",
            {"product": product.pk},
        )
        assert response.status_code == 302
        assert response.url == org_url("detail", collective, selection.pk) + "?q=eloi"
    items = {i.product_id: i for i in selection.items.all()}
    client.post(org_url("item_up", collective, selection.pk, items[other.pk].pk))
    client.post(org_url("item_remove", collective, selection.pk, items[bread.pk].pk))
    order = list(selection.items.order_by("position").values_list("product__title", "position"))
    assert order == [("Tomme", 0), ("Gâteau basque", 1)]
    # A product outside the shared catalog is not found.
    response = client.post(
        org_url("add_product", collective, selection.pk), {"product": ProductFactory().pk}
    )
    assert response.status_code == 404


def test_with_htmx_an_action_answers_the_managed_part_and_the_outcome(
    client, collective, organiser, shop
):
    selection = SelectionFactory(collective=collective, status="draft")
    product = ProductFactory(merchant=shop, title="Tomme")
    client.force_login(organiser)
    response = client.post(
        org_url("add_product", collective, selection.pk),
        {"product": product.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="selection-manage"' in content
    assert re.search(r'id="selection-notice"[^>]*class="message"[^>]*>[^<]*Tomme', content)
    assert f'data-item="{product.slug}"' in content
    # A refused action says so in the same place, still as a 200 so that htmx swaps it.
    response = client.post(
        org_url("add_product", collective, selection.pk),
        {"product": product.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert re.search(r'id="selection-notice"[^>]*class="notice"', response.content.decode())


def test_an_organiser_answers_the_shops_proposals(client, collective, organiser, shop, shopkeeper):
    selection = SelectionFactory(collective=collective, status="draft")
    liked, other = ProductFactory(merchant=shop), ProductFactory(merchant=shop)
    yes = services.selection_propose(
        actor=shopkeeper, selection=selection, product=liked, note="Notre best-seller"
    )
    no = services.selection_propose(actor=shopkeeper, selection=selection, product=other)
    client.force_login(organiser)
    content = client.get(org_url("detail", collective, selection.pk)).content.decode()
    assert "Notre best-seller" in content
    assert content.count("data-proposal=") == 2
    listing = client.get(org_url("list", collective)).content.decode()
    assert re.search(r'data-count="proposals"><strong>2</strong>', listing)
    client.post(org_url("item_accept", collective, selection.pk, yes.pk))
    client.post(org_url("item_decline", collective, selection.pk, no.pk))
    statuses = dict(selection.items.values_list("product_id", "status"))
    assert statuses == {liked.pk: Item.ACCEPTED, other.pk: Item.DECLINED}


def test_the_organiser_list_takes_the_same_queries_at_2_and_20_selections(
    client, django_assert_max_num_queries
):
    counts = []
    for size in (2, 20):
        collective = CollectiveFactory()
        organiser = OrganiserFactory(collective=collective).user
        shop = member_shop(collective)
        for _ in range(size):
            selection = SelectionFactory(collective=collective)
            SelectionItemFactory.create_batch(2, selection=selection, product__merchant=shop)
            SelectionItemFactory(
                selection=selection, product__merchant=shop, status=Item.PROPOSED, position=None
            )
        client.force_login(organiser)
        # session, user, organiser seat (with the collective), selections with their counts.
        with django_assert_max_num_queries(4) as captured:
            response = client.get(org_url("list", collective))
        assert response.status_code == 200
        assert response.content.decode().count("data-selection=") == size
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


# --- A shop's side -------------------------------------------------------------------------


def test_a_shop_sees_the_open_selections_of_its_collectives_and_its_proposals(
    client, collective, shop, shopkeeper
):
    open_one = SelectionFactory(collective=collective, status="draft")
    SelectionFactory(collective=collective, accepts_proposals=False)
    SelectionFactory()  # another collective
    chosen = SelectionItemFactory(selection=open_one, product__merchant=shop)
    client.force_login(shopkeeper)
    content = client.get(shop_url("list", shop)).content.decode()
    assert re.findall(r'<li class="card" data-selection="([^"]+)"', content) == [open_one.slug]
    assert f'data-item="{chosen.product.slug}"' in content
    assert shop_url("propose", shop, open_one.pk) in content


def test_a_shop_proposes_one_of_its_products_and_withdraws_it(client, collective, shop, shopkeeper):
    selection = SelectionFactory(collective=collective)
    mine = ProductFactory(merchant=shop, title="Tomme")
    ProductFactory(merchant=shop, title="Brouillon", status="draft", published_at=None)
    neighbours = ProductFactory(merchant=member_shop(collective), title="Pain")
    client.force_login(shopkeeper)
    content = client.get(shop_url("propose", shop, selection.pk)).content.decode()
    options = re.findall(r'<option value="(\d+)"', content)
    assert options == [str(mine.pk)]  # neither a draft nor another shop's product

    response = client.post(
        shop_url("propose", shop, selection.pk), {"product": neighbours.pk, "note": ""}
    )
    assert response.status_code == 200  # refused, next to the field
    assert not selection.items.exists()

    response = client.post(
        shop_url("propose", shop, selection.pk), {"product": mine.pk, "note": "Affinée"}
    )
    assert response.status_code == 302
    item = selection.items.get()
    assert (item.status, item.note, item.product) == (Item.PROPOSED, "Affinée", mine)

    client.post(shop_url("withdraw", shop, item.pk))
    assert not selection.items.exists()


def test_a_shop_cannot_reach_selections_or_items_that_are_not_its_own(
    client, collective, shop, shopkeeper
):
    elsewhere = SelectionFactory()
    closed = SelectionFactory(collective=collective, accepts_proposals=False)
    neighbours = SelectionItemFactory(
        selection=SelectionFactory(collective=collective),
        product__merchant=member_shop(collective),
        status=Item.PROPOSED,
        position=None,
    )
    client.force_login(shopkeeper)
    assert client.get(shop_url("propose", shop, elsewhere.pk)).status_code == 404
    assert client.get(shop_url("propose", shop, closed.pk)).status_code == 404
    assert client.post(shop_url("withdraw", shop, neighbours.pk)).status_code == 404
    assert SelectionItem.objects.filter(pk=neighbours.pk).exists()
    client.force_login(UserFactory())
    assert client.get(shop_url("list", shop)).status_code == 404


def test_a_shop_that_left_the_collective_is_offered_nothing(client, collective, shop, shopkeeper):
    selection = SelectionFactory(collective=collective)
    Membership.objects.filter(merchant=shop).update(status="left", left_at=timezone.now())
    client.force_login(shopkeeper)
    assert client.get(shop_url("propose", shop, selection.pk)).status_code == 404
