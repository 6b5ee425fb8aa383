"""Group buy pages: the public list (with the collective filter) and a group buy's page
(tiers, progress with its htmx polling, the visitor's pledge, pledge / change / withdraw
forms, log-in link, outcome once closed); the shop's back-office list, opening form and
cancelling; the organisers' list, form and cancelling. Query counts are pinned.

Page text is French by default and its translation is written after this work: wording is
asserted on /en/ pages or on data (titles, numbers), structure through ids and data-*."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import GroupBuy, Pledge, Source
from orders.services.group_buys import (
    TierRequest,
    group_buy_close,
    group_buy_open,
    pledge_place,
)
from orders.views import group_buys_public
from tests.factories import (
    CollectiveFactory,
    EventFactory,
    EventParticipationFactory,
    MembershipFactory,
    MerchantFactory,
    MerchantMemberFactory,
    OrganiserFactory,
    ProductFactory,
    ProductImageFactory,
    UserFactory,
)
from tests.orders.factories import GroupBuyFactory, GroupBuyTierFactory

pytestmark = pytest.mark.django_db

TIERS = [TierRequest(10, Decimal("10")), TierRequest(30, Decimal("20"))]


@pytest.fixture(autouse=True)
def _no_tasks(monkeypatch):
    """E-mails are the services' tests' business: nothing is queued from these pages."""
    from orders import tasks_group_buys as tasks

    for name in tasks.__all__:
        monkeypatch.setattr(getattr(tasks, name), "delay", lambda *args: None)


@pytest.fixture
def shop():
    return MerchantFactory(name="Épicerie Lafayette")


@pytest.fixture
def shop_owner(shop):
    return MerchantMemberFactory(merchant=shop, role="owner").user


@pytest.fixture
def product(shop):
    return ProductFactory(merchant=shop, title="Huile de noix", price=Decimal("12.00"))


@pytest.fixture
def group_buy(shop_owner, product):
    return group_buy_open(
        actor=shop_owner,
        product=product,
        tiers=TIERS,
        deadline=timezone.now() + dt.timedelta(days=2, hours=3),
        max_quantity=40,
    )


def detail_url(group_buy, language=""):
    url = reverse("group_buys:detail", kwargs={"group_buy_id": group_buy.pk})
    return f"/{language}{url}" if language else url


def pledge(group_buy, quantity, customer=None):
    return pledge_place(actor=customer or UserFactory(), group_buy=group_buy, quantity=quantity)


def open_with_tiers(merchant=None, **fields):
    """An open group buy built directly (tiers 10 → −10 %, 30 → −20 %)."""
    group_buy = GroupBuyFactory(**({"merchant": merchant} if merchant else {}), **fields)
    GroupBuyTierFactory(group_buy=group_buy, min_quantity=10, discount=Decimal("10"))
    GroupBuyTierFactory(group_buy=group_buy, min_quantity=30, discount=Decimal("20"))
    return group_buy


def listed_ids(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<li data-group-buy="(\d+)"', response.content.decode())]


# --- Public list ---------------------------------------------------------------------------


def test_the_list_shows_open_group_buys_with_progress_and_time_left(client, group_buy):
    pledge(group_buy, 23)
    closed = open_with_tiers(status=GroupBuy.Status.FAILED)
    past = open_with_tiers(deadline=timezone.now() - dt.timedelta(minutes=1))
    hidden = open_with_tiers(product=ProductFactory(status="draft"))
    response = client.get("/en" + reverse("group_buys:list"))
    assert response.status_code == 200
    assert listed_ids(response) == [group_buy.pk]
    assert {closed.pk, past.pk, hidden.pk}.isdisjoint(listed_ids(response))
    html = response.content.decode()
    assert "23 / 30 — 7 more for −20 %" in html
    assert 'value="23" max="30"' in html
    assert "2 days left" in html
    assert "Huile de noix" in html


def test_the_list_filters_by_collective_through_its_member_shops(client, group_buy, shop):
    collective = MembershipFactory(merchant=shop).collective
    elsewhere = open_with_tiers()
    everything = client.get(reverse("group_buys:list"))
    assert set(listed_ids(everything)) == {group_buy.pk, elsewhere.pk}
    filtered = client.get(reverse("group_buys:list"), {"collectif": collective.slug})
    assert listed_ids(filtered) == [group_buy.pk]
    assert f'<option value="{collective.slug}" selected>' in filtered.content.decode()
    assert client.get(reverse("group_buys:list"), {"collectif": "nowhere"}).status_code == 404


def test_the_list_marks_my_pledges(client, group_buy):
    customer = UserFactory()
    pledge(group_buy, 3, customer)
    client.force_login(customer)
    assert 'data-my-pledge="3"' in client.get(reverse("group_buys:list")).content.decode()


def test_the_list_takes_the_same_queries_at_3_and_30_group_buys(
    client, django_assert_max_num_queries
):
    """Count, page of group buys (product, shop, collective, pickup), tiers, photos,
    collectives for the filter, the visitor's pledges (session and user when logged in)."""
    customer = UserFactory()
    client.force_login(customer)
    counts = []
    for size in (3, 30):
        GroupBuy.objects.all().delete()
        collective = CollectiveFactory()
        for _ in range(size):
            group_buy = open_with_tiers()
            MembershipFactory(collective=collective, merchant=group_buy.merchant)
            ProductImageFactory(product=group_buy.product)
            pledge(group_buy, 1, customer)
        with django_assert_max_num_queries(8) as captured:
            response = client.get(reverse("group_buys:list"))
        assert response.status_code == 200
        assert len(listed_ids(response)) == size
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


# --- Public page ---------------------------------------------------------------------------


def test_the_page_shows_tiers_progress_and_polls_while_open(client, group_buy):
    pledge(group_buy, 12)
    response = client.get(detail_url(group_buy, "en"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "12 / 30 — 18 more for −20 %" in html
    assert '<progress id="group-buy-bar" value="12" max="30"' in html
    assert '<label for="group-buy-bar"' in html
    assert 'hx-trigger="every 15s"' in html
    assert reverse("group_buys:progress", args=[group_buy.pk]) in html
    assert 'data-tier="10" data-reached' in html
    assert 'data-tier="30" data-next' in html
    assert "10.80 €" in html
    assert "9.60 €" in html
    assert 'data-units-left="28"' in html
    assert "htmx" in html


def test_the_progress_part_alone_is_served_for_the_polling(client, group_buy):
    pledge(group_buy, 31)
    response = client.get(reverse("group_buys:progress", args=[group_buy.pk]))
    html = response.content.decode()
    assert 'id="group-buy-progress"' in html
    assert "<html" not in html
    assert 'data-pledged="31"' in html


def test_a_visitor_is_offered_to_log_in_and_come_back(client, group_buy):
    html = client.get(detail_url(group_buy)).content.decode()
    assert "data-login-to-pledge" in html
    assert f"?next={detail_url(group_buy)}" in html
    assert 'id="pledge-form"' not in html
    response = client.post(reverse("group_buys:pledge", args=[group_buy.pk]), {"quantity": 2})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "next=" in response.url
    assert not Pledge.objects.exists()


def test_a_customer_pledges_changes_and_withdraws_without_javascript(client, group_buy):
    customer = UserFactory()
    client.force_login(customer)
    pledge_url = reverse("group_buys:pledge", args=[group_buy.pk])
    response = client.post(pledge_url, {"quantity": 3, "source": "selection"})
    assert response.status_code == 302
    assert response.url == detail_url(group_buy) + "#my-pledge"
    mine = Pledge.objects.get(customer=customer)
    assert (mine.quantity, mine.source) == (3, Source.SELECTION)
    html = client.get(detail_url(group_buy)).content.decode()
    assert 'data-my-pledge="3"' in html
    assert "data-withdraw" in html
    client.post(pledge_url, {"quantity": 5})
    group_buy.refresh_from_db()
    assert group_buy.pledged_quantity == 5
    assert client.post(reverse("group_buys:withdraw", args=[group_buy.pk])).status_code == 302
    group_buy.refresh_from_db()
    assert group_buy.pledged_quantity == 0
    assert Pledge.objects.get(customer=customer).status == Pledge.Status.WITHDRAWN
    # Nothing left to withdraw: 404.
    assert client.post(reverse("group_buys:withdraw", args=[group_buy.pk])).status_code == 404


def test_above_the_maximum_the_refusal_is_next_to_the_quantity_and_kept(client, group_buy):
    pledge(group_buy, 38)
    client.force_login(UserFactory())
    response = client.post(
        "/en" + reverse("group_buys:pledge", args=[group_buy.pk]), {"quantity": 5}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Only 2 units are left." in html
    assert 'value="5"' in html  # what was typed is kept
    assert not Pledge.objects.filter(quantity=5).exists()


def test_pledging_once_closed_says_so_on_the_page(client, group_buy):
    GroupBuy.objects.filter(pk=group_buy.pk).update(
        deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    client.force_login(UserFactory())
    response = client.post(
        "/en" + reverse("group_buys:pledge", args=[group_buy.pk]), {"quantity": 1}, follow=True
    )
    html = response.content.decode()
    assert "This group buy is closed." in html
    assert 'data-outcome="closing"' in html
    assert not Pledge.objects.exists()


def test_the_source_in_the_link_is_carried_into_the_form(client, group_buy):
    client.force_login(UserFactory())
    html = client.get(detail_url(group_buy) + "?source=event").content.decode()
    assert 'name="source" value="event"' in html


def test_a_closed_group_buy_shows_its_outcome_and_my_reservation(client, group_buy):
    customer = UserFactory()
    pledge(group_buy, 12, customer)
    GroupBuy.objects.filter(pk=group_buy.pk).update(
        deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    group_buy_close(group_buy_id=group_buy.pk)
    client.force_login(customer)
    html = client.get(detail_url(group_buy, "en")).content.decode()
    assert 'data-outcome="succeeded"' in html
    assert "hx-trigger" not in html  # no polling once closed
    assert 'id="pledge-form"' not in html
    code = Pledge.objects.get(customer=customer).reservation.code
    assert code in html
    assert "129.60 €" in html  # 12 × 10.80


def test_a_group_buy_on_an_unpublished_product_is_404(client, group_buy, product):
    product.status = "draft"
    product.save()
    assert client.get(detail_url(group_buy)).status_code == 404


def test_the_page_takes_the_same_queries_with_2_and_5_tiers_and_many_pledges(
    client, django_assert_max_num_queries
):
    """Session, user, the group buy (product, shop, collective, pickup), tiers, photos, the
    visitor's pledge: whatever the tiers and the number of pledgers."""
    customer = UserFactory()
    client.force_login(customer)
    counts = []
    for tiers, pledgers in ((2, 3), (5, 30)):
        group_buy = GroupBuyFactory(max_quantity=500)
        for index in range(tiers):
            GroupBuyTierFactory(
                group_buy=group_buy, min_quantity=10 * (index + 1), discount=5 * (index + 1)
            )
        ProductImageFactory(product=group_buy.product)
        for _ in range(pledgers):
            pledge(group_buy, 1)
        pledge(group_buy, 2, customer)
        with django_assert_max_num_queries(6) as captured:
            response = client.get(detail_url(group_buy))
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


# --- The shop's back office -----------------------------------------------------------------


def shop_url(name, shop, *args):
    return reverse(f"shop_group_buys:{name}", args=[shop.slug, *args])


def form_data(product, **overrides):
    deadline = timezone.localtime(timezone.now() + dt.timedelta(days=10)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    data = {
        "product": product.pk,
        "description": "Pressée à froid au moulin de Sauvagnas.",
        "deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
        "max_quantity": "60",
        "pickup": "shop",
        "tier_quantity_1": "10",
        "tier_discount_1": "10",
        "tier_quantity_2": "30",
        "tier_discount_2": "20",
    }
    data.update(overrides)
    return data


def test_an_owner_opens_a_group_buy_from_the_form_in_paris_time(client, shop, shop_owner, product):
    client.force_login(shop_owner)
    page = client.get(shop_url("create", shop))
    assert page.status_code == 200
    assert page.context["nav"] == "group_buys"
    response = client.post(shop_url("create", shop), form_data(product))
    assert response.status_code == 302
    assert response.url == shop_url("list", shop)
    group_buy = GroupBuy.objects.get()
    assert timezone.localtime(group_buy.deadline).hour == 18
    assert [t.min_quantity for t in group_buy.tiers.all()] == [10, 30]
    assert group_buy.max_quantity == 60
    assert group_buy.pickup_occurrence is None
    html = client.get(shop_url("list", shop)).content.decode()
    assert f'data-group-buy="{group_buy.pk}"' in html


def test_bad_tiers_are_shown_by_the_tier_rows_and_the_input_kept(client, shop, shop_owner, product):
    client.force_login(shop_owner)
    response = client.post(
        "/en" + shop_url("create", shop),
        form_data(product, tier_quantity_2="5", tier_discount_2="20", max_quantity="3"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="tiers-errors"' in html
    assert "more units and a bigger discount" in html
    assert "The maximum cannot be below the first tier" not in html  # tiers wrong first
    assert 'name="tier_quantity_2" value="5"' in html
    assert "Pressée à froid" in html
    assert not GroupBuy.objects.exists()


def test_a_tier_row_half_filled_is_pointed_out(client, shop, shop_owner, product):
    client.force_login(shop_owner)
    response = client.post("/en" + shop_url("create", shop), form_data(product, tier_discount_2=""))
    assert response.status_code == 200
    assert "Fill in both the quantity and the discount." in response.content.decode()
    assert not GroupBuy.objects.exists()


def test_the_shop_picks_an_event_date_it_takes_part_in(client, shop, shop_owner, product):
    collective = MembershipFactory(merchant=shop).collective
    event = EventFactory(
        collective=collective,
        title="Marché de Noël",
        starts_at=timezone.now() + dt.timedelta(days=20),
    )
    EventParticipationFactory(
        event=event, merchant=shop, status="accepted", answered_at=timezone.now()
    )
    EventFactory(collective=collective, title="Sans nous")  # not taking part: not offered
    occurrence = event.occurrences.get()
    client.force_login(shop_owner)
    html = client.get(shop_url("create", shop)).content.decode()
    assert "Marché de Noël" in html
    assert "Sans nous" not in html
    client.post(shop_url("create", shop), form_data(product, pickup=str(occurrence.pk)))
    assert GroupBuy.objects.get().pickup_occurrence == occurrence


def test_staff_see_the_list_but_only_owners_open_and_cancel(client, shop, group_buy):
    staff = MerchantMemberFactory(merchant=shop, role="staff").user
    client.force_login(staff)
    html = client.get(shop_url("list", shop)).content.decode()
    assert f'data-group-buy="{group_buy.pk}"' in html
    assert 'id="new-group-buy"' not in html
    assert client.get(shop_url("create", shop)).status_code == 403
    assert client.post(shop_url("cancel", shop, group_buy.pk)).status_code == 403


def test_another_shops_group_buy_is_404_and_others_products_are_not_offered(
    client, shop, shop_owner
):
    theirs = open_with_tiers()
    client.force_login(shop_owner)
    assert client.get(shop_url("cancel", shop, theirs.pk)).status_code == 404
    response = client.post(shop_url("create", shop), form_data(theirs.product))
    assert response.status_code == 200
    assert "product" in response.context["form"].errors
    assert GroupBuy.objects.count() == 1


def test_an_owner_cancels_after_confirming(client, shop, shop_owner, group_buy):
    pledge(group_buy, 4)
    client.force_login(shop_owner)
    page = client.get(shop_url("cancel", shop, group_buy.pk))
    assert "data-confirm-cancel" in page.content.decode()
    response = client.post(shop_url("cancel", shop, group_buy.pk))
    assert response.status_code == 302
    group_buy.refresh_from_db()
    assert group_buy.status == GroupBuy.Status.CANCELLED
    assert Pledge.objects.get().status == Pledge.Status.RELEASED


def test_the_shop_list_takes_the_same_queries_at_3_and_30(
    client, shop, shop_owner, django_assert_max_num_queries
):
    """Session, user, the shop, the layout's shop switcher, group buys (with their pledger
    counts), tiers."""
    client.force_login(shop_owner)
    counts = []
    for size in (3, 30):
        GroupBuy.objects.all().delete()
        for _ in range(size):
            group_buy = open_with_tiers(merchant=shop)
            pledge(group_buy, 2)
        with django_assert_max_num_queries(6) as captured:
            response = client.get(shop_url("list", shop))
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


# --- The organisers' space ------------------------------------------------------------------


@pytest.fixture
def organiser(shop):
    seat = OrganiserFactory(role="organiser")
    MembershipFactory(collective=seat.collective, merchant=shop)
    return seat


def organiser_url(name, collective, *args):
    return reverse(f"organiser_group_buys:{name}", args=[collective.slug, *args])


def test_an_organiser_opens_one_on_a_member_shops_product(client, organiser, product):
    outsider = ProductFactory(title="Hors collectif")
    client.force_login(organiser.user)
    page = client.get(organiser_url("create", organiser.collective))
    html = page.content.decode()
    assert page.context["nav"] == "group_buys"
    assert "Huile de noix" in html
    assert "Hors collectif" not in html
    assert "Épicerie Lafayette" in html  # products are named with their shop
    response = client.post(organiser_url("create", organiser.collective), form_data(product))
    assert response.status_code == 302
    group_buy = GroupBuy.objects.get()
    assert group_buy.collective == organiser.collective
    refused = client.post(organiser_url("create", organiser.collective), form_data(outsider))
    assert "product" in refused.context["form"].errors
    listed = client.get(organiser_url("list", organiser.collective)).content.decode()
    assert f'data-group-buy="{group_buy.pk}"' in listed


def test_an_organiser_cancels_the_collectives_group_buy(client, organiser, product):
    group_buy = group_buy_open(
        actor=organiser.user,
        product=product,
        tiers=TIERS,
        deadline=timezone.now() + dt.timedelta(days=3),
        collective=organiser.collective,
    )
    client.force_login(organiser.user)
    client.post(organiser_url("cancel", organiser.collective, group_buy.pk))
    group_buy.refresh_from_db()
    assert group_buy.status == GroupBuy.Status.CANCELLED


def test_organiser_pages_are_404_to_others_and_the_shops_own_group_buys_too(
    client, organiser, group_buy
):
    client.force_login(UserFactory())
    assert client.get(organiser_url("list", organiser.collective)).status_code == 404
    client.force_login(organiser.user)
    # The shop's own group buy is not the collective's.
    assert (
        client.get(organiser_url("cancel", organiser.collective, group_buy.pk)).status_code == 404
    )


def test_the_organiser_list_takes_the_same_queries_at_3_and_30(
    client, organiser, shop, django_assert_max_num_queries
):
    """Session, user, the organiser's seat, group buys (with their pledger counts), tiers."""
    client.force_login(organiser.user)
    counts = []
    for size in (3, 30):
        GroupBuy.objects.all().delete()
        for _ in range(size):
            open_with_tiers(merchant=shop, collective=organiser.collective)
        with django_assert_max_num_queries(5) as captured:
            response = client.get(organiser_url("list", organiser.collective))
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_the_poll_interval_is_a_quarter_minute():
    assert group_buys_public.POLL_SECONDS == 15
