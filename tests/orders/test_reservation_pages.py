"""The pages of click & collect: the reserve block of a product page and the reserve form,
the customer's reservations (only theirs), and the shop's inbox in « Mon commerce » (only its
team: one-tap actions with and without htmx, the pickup code typed or scanned) — with their
query counts pinned at two sizes.

Texts are checked on the English pages (/en/…), or as data (codes, amounts)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from catalog.models import Product
from orders.models import Reservation, Source
from orders.selectors.reservations import pickup_choices
from orders.services.reservations import (
    reservation_confirm,
    reservation_create,
    reservation_mark_ready,
)
from tests.factories import (
    MerchantFactory,
    MerchantMemberFactory,
    OpeningHoursFactory,
    ProductFactory,
    UserFactory,
)
from tests.orders.factories import ReservationFactory, ReservationLineFactory

pytestmark = pytest.mark.django_db

S = Reservation.Status


def a_shop(**fields):
    """An active shop open every day 0:00–23:30: a pickup day is always offered."""
    shop = MerchantFactory(**fields)
    for weekday in range(7):
        OpeningHoursFactory(
            merchant=shop, weekday=weekday, opens=dt.time(0, 0), closes=dt.time(23, 30)
        )
    return shop


def en(name, *args, **kwargs) -> str:
    with translation.override("en"):
        return reverse(name, args=args, kwargs=kwargs)


def reserve(customer, product, quantity=1) -> Reservation:
    key = pickup_choices(merchant=product.merchant)[0].key
    return reservation_create(actor=customer, product=product, quantity=quantity, pickup=key)


def stock(product) -> int | None:
    return Product.objects.values_list("stock", flat=True).get(pk=product.pk)


@pytest.fixture
def shop():
    return a_shop(name="Fromagerie Dupuy", street="3 rue des Cornières", postcode="47300")


@pytest.fixture
def cheese(shop):
    return ProductFactory(
        merchant=shop, title="Tomme", slug="tomme", price=Decimal("12.50"), stock=10
    )


@pytest.fixture
def seller(shop):
    return MerchantMemberFactory(merchant=shop, role="staff").user


# --- The product page ----------------------------------------------------------------------


def test_a_visitor_is_offered_to_log_in_to_reserve(client, cheese):
    html = client.get(cheese.get_absolute_url()).content.decode()
    assert "data-login-to-reserve" in html
    assert "data-reserve-form" not in html
    assert f'?next={cheese.get_absolute_url()}"' in html


def test_a_customer_sees_the_reserve_form_with_the_pickups(client, cheese, customer):
    client.force_login(customer)
    with translation.override("en"):
        url = cheese.get_absolute_url()
    html = client.get(url).content.decode()
    assert "data-reserve-form" in html
    assert "Payment in the shop" in html
    assert 'max="10"' in html
    key = pickup_choices(merchant=cheese.merchant)[0].key
    assert f'data-pickup="{key}"' in html
    assert en("reservations:reserve", cheese.merchant.slug, cheese.slug) in html


def test_a_sold_out_product_has_no_form(client, shop, customer):
    sold_out = ProductFactory(merchant=shop, stock=0)
    client.force_login(customer)
    html = client.get(sold_out.get_absolute_url()).content.decode()
    assert "data-reserve-form" not in html
    assert 'data-reserve-refusal="sold_out"' in html


def test_a_shop_without_pickup_dates_has_no_form(client, customer):
    product = ProductFactory(merchant=MerchantFactory(), stock=3)
    client.force_login(customer)
    html = client.get(product.get_absolute_url()).content.decode()
    assert "data-reserve-form" not in html
    assert 'data-reserve-refusal="no_pickup"' in html


def test_a_draft_seen_by_its_shop_offers_no_reservation(client, shop, seller):
    draft = ProductFactory(merchant=shop, status=Product.Status.DRAFT, published_at=None)
    client.force_login(seller)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert 'id="reserve"' not in response.content.decode()


# --- Reserving -----------------------------------------------------------------------------


def test_reserving_leads_to_the_reservation_page(client, cheese, customer):
    client.force_login(customer)
    key = pickup_choices(merchant=cheese.merchant)[0].key
    response = client.post(
        en("reservations:reserve", cheese.merchant.slug, cheese.slug),
        {"quantity": "2", "pickup": key, "note": "Bien affinée", "phone": "", "source": "live"},
    )
    reservation = Reservation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == en("reservations:detail", reservation.pk)
    assert reservation.customer == customer
    assert reservation.source == Source.LIVE
    assert reservation.total == Decimal("25.00")
    assert stock(cheese) == 8


def test_a_mistake_comes_back_with_the_error_next_to_the_field_and_nothing_lost(
    client, cheese, customer
):
    client.force_login(customer)
    key = pickup_choices(merchant=cheese.merchant)[0].key
    response = client.post(
        en("reservations:reserve", cheese.merchant.slug, cheese.slug),
        {"quantity": "11", "pickup": key, "note": "Pour dimanche", "phone": "0601"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="reserve-quantity-error"' in html
    assert 'value="11"' in html
    assert "Pour dimanche" in html
    assert 'value="0601"' in html
    assert f'value="{key}" data-pickup="{key}" checked' in html
    assert not Reservation.objects.exists()


def test_a_product_sold_out_meanwhile_is_refused_above_the_form(client, shop, customer):
    product = ProductFactory(merchant=shop, stock=1)
    client.force_login(customer)
    key = pickup_choices(merchant=shop)[0].key
    other = UserFactory()
    reserve(other, product)  # the last unit goes to somebody else first
    response = client.post(
        en("reservations:reserve", shop.slug, product.slug), {"quantity": "1", "pickup": key}
    )
    # The form is gone (sold out) and nothing was reserved for this customer.
    assert response.status_code == 200
    assert 'data-reserve-refusal="sold_out"' in response.content.decode()
    assert not Reservation.objects.filter(customer=customer).exists()


def test_a_visitor_posting_is_sent_to_log_in(client, cheese):
    response = client.post(
        reverse("reservations:reserve", args=[cheese.merchant.slug, cheese.slug]),
        {"quantity": "1"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Reservation.objects.exists()


def test_an_unpublished_product_cannot_be_reserved(client, shop, customer):
    draft = ProductFactory(merchant=shop, status=Product.Status.DRAFT, published_at=None)
    client.force_login(customer)
    response = client.get(reverse("reservations:reserve", args=[shop.slug, draft.slug]))
    assert response.status_code == 404


# --- The customer's pages ------------------------------------------------------------------


def test_the_reservation_page_shows_the_code_the_qr_code_and_the_total(client, cheese, customer):
    reservation = reserve(customer, cheese)
    client.force_login(customer)
    response = client.get(reverse("reservations:detail", args=[reservation.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"data-pickup-code>{reservation.code}<" in html
    assert "12,50 €" in html  # French formatting
    assert '<svg role="img"' in html
    assert "3 rue des Cornières" in html
    # The deadline in Paris time.
    deadline = timezone.localtime(reservation.pickup_deadline)
    assert deadline.strftime("%H:%M") in html
    assert "data-cancel" in html


def test_the_qr_code_encodes_the_shops_lookup_address(client, cheese, customer, monkeypatch):
    """Scanned with the shop's phone camera, the QR code opens the reservation in the
    shop's inbox; it is drawn here (segno), asking nothing of an outside service."""
    import segno

    encoded: list[str] = []
    make = segno.make
    monkeypatch.setattr(segno, "make", lambda data, **kw: encoded.append(data) or make(data, **kw))
    reservation = reserve(customer, cheese)
    client.force_login(customer)
    client.get(en("reservations:detail", reservation.pk))
    with translation.override("fr"):
        lookup = reverse("shop_reservations:by_code", args=[cheese.merchant.slug, reservation.code])
    assert encoded == ["http://testserver" + lookup]
    assert lookup.startswith("/mon-commerce/")  # the shop's language, not the customer's


def test_nobody_else_sees_a_reservation(client, cheese, customer, seller):
    reservation = reserve(customer, cheese)
    url = reverse("reservations:detail", args=[reservation.pk])
    for other in (UserFactory(), seller):
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert client.post(reverse("reservations:cancel", args=[reservation.pk])).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert Reservation.objects.get().status == S.PENDING


def test_the_customer_cancels_from_the_reservation_page(client, cheese, customer):
    reservation = reserve(customer, cheese, 3)
    client.force_login(customer)
    response = client.post(reverse("reservations:cancel", args=[reservation.pk]))
    assert response.status_code == 302
    reservation.refresh_from_db()
    assert reservation.status == S.CANCELLED
    assert stock(cheese) == 10
    html = client.get(reverse("reservations:detail", args=[reservation.pk])).content.decode()
    assert "data-cancel" not in html
    assert "<svg" not in html  # no code to show for a closed reservation


def _reservations_of(customer, count):
    shops = [a_shop() for _ in range(3)]
    for index in range(count):
        shop = shops[index % 3]
        reservation = ReservationFactory(merchant=shop, customer=customer)
        ReservationLineFactory(reservation=reservation)
        ReservationLineFactory(reservation=reservation)


def test_my_reservations_lists_only_mine_in_constant_queries(client, django_assert_max_num_queries):
    counts = []
    for size in (3, 30):
        customer = UserFactory()
        _reservations_of(customer, size)
        ReservationLineFactory()  # somebody else's
        client.force_login(customer)
        # session, user, count, reservations (with shops and events), their lines.
        with django_assert_max_num_queries(6) as captured:
            response = client.get(reverse("reservations:list"))
        assert response.status_code == 200
        shown = response.content.decode().count("data-reservation=")
        assert shown == min(size, 20)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


# --- The shop's inbox ----------------------------------------------------------------------


def test_the_inbox_lists_new_reservations_highlighted(client, shop, cheese, customer, seller):
    fresh = reserve(customer, cheese)
    seen = reserve(customer, cheese)
    Reservation.objects.filter(pk=seen.pk).update(seen_at=timezone.now())
    confirmed = reserve(customer, cheese)
    reservation_confirm(actor=seller, reservation=confirmed)
    client.force_login(seller)

    response = client.get(en("shop_reservations:inbox", merchant_slug=shop.slug))

    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["nav"] == "reservations"
    assert list(response.context["reservations"]) == [fresh, seen]
    assert response.context["counts"]["new"] == 2
    assert response.context["counts"]["unseen"] == 1
    assert response.context["counts"]["confirmed"] == 1
    rows = {r.split('"')[0]: r for r in html.split('id="reservation-')[1:]}
    fresh_row, seen_row = rows[str(fresh.pk)], rows[str(seen.pk)]
    assert "data-new" in fresh_row.split(">")[0]
    assert "data-new" not in seen_row.split(">")[0]
    assert html.count("reservation-row--new") == 1
    assert 'data-action="confirm"' in fresh_row
    assert "12.50 €" in fresh_row
    confirmed_tab = client.get(
        en("shop_reservations:inbox", merchant_slug=shop.slug) + "?tab=confirmed"
    )
    assert list(confirmed_tab.context["reservations"]) == [confirmed]


def test_only_the_shops_team_sees_its_inbox(client, shop, cheese, customer):
    """Tenancy: another shop's staff and customers get a 404 for the inbox, a reservation,
    its actions and its code look-up; another shop's reservation never shows through one's
    own shop's addresses."""
    reservation = reserve(customer, cheese)
    other = a_shop()
    other_staff = MerchantMemberFactory(merchant=other, role="owner").user
    urls = [
        reverse("shop_reservations:inbox", args=[shop.slug]),
        reverse("shop_reservations:detail", args=[shop.slug, reservation.pk]),
        reverse("shop_reservations:by_code", args=[shop.slug, reservation.code]),
    ]
    for person in (other_staff, customer):
        client.force_login(person)
        for url in urls:
            assert client.get(url).status_code == 404, url
        assert (
            client.post(reverse("shop_reservations:confirm", args=[shop.slug, reservation.pk]))
        ).status_code == 404
    client.force_login(other_staff)
    assert (
        client.get(reverse("shop_reservations:detail", args=[other.slug, reservation.pk]))
    ).status_code == 404
    assert (
        client.post(reverse("shop_reservations:confirm", args=[other.slug, reservation.pk]))
    ).status_code == 404
    response = client.get(reverse("shop_reservations:by_code", args=[other.slug, reservation.code]))
    assert response.status_code == 404
    assert Reservation.objects.get().status == S.PENDING


def test_one_tap_actions_without_javascript(client, shop, cheese, customer, seller):
    reservation = reserve(customer, cheese)
    client.force_login(seller)
    inbox = reverse("shop_reservations:inbox", args=[shop.slug]) + "?tab=new"
    for action, status in (("confirm", S.CONFIRMED), ("ready", S.READY), ("collect", S.COLLECTED)):
        response = client.post(
            reverse(f"shop_reservations:{action}", args=[shop.slug, reservation.pk]),
            {"next": inbox},
        )
        assert response.status_code == 302
        assert response["Location"] == inbox
        reservation.refresh_from_db()
        assert reservation.status == status
    # An outside address in « next » is ignored.
    response = client.post(
        reverse("shop_reservations:collect", args=[shop.slug, reservation.pk]),
        {"next": "https://example.com/"},
    )
    assert response["Location"] == reverse(
        "shop_reservations:detail", args=[shop.slug, reservation.pk]
    )


def test_one_tap_actions_swap_the_row_with_htmx(client, shop, cheese, customer, seller):
    reservation = reserve(customer, cheese)
    client.force_login(seller)
    response = client.post(
        en("shop_reservations:confirm", merchant_slug=shop.slug, pk=reservation.pk),
        {"next": "/mon-commerce/"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<li class="reservation-row')
    assert 'data-status="confirmed"' in html
    assert "data-row-done" in html
    assert 'data-action="ready"' in html
    assert 'data-action="collect"' in html

    # Refused (a stale page): the row says why.
    response = client.post(
        en("shop_reservations:decline", merchant_slug=shop.slug, pk=reservation.pk),
        {"reason": "Rupture"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "data-row-error" in response.content.decode()
    assert "cannot be declined" in response.content.decode()
    reservation.refresh_from_db()
    assert reservation.status == S.CONFIRMED


def test_declining_needs_a_reason(client, shop, cheese, customer, seller):
    reservation = reserve(customer, cheese, 2)
    client.force_login(seller)
    url = en("shop_reservations:decline", merchant_slug=shop.slug, pk=reservation.pk)
    # With htmx: the row comes back with the reason's error, the box open.
    response = client.post(url, {"reason": ""}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert f'id="decline-reason-{reservation.pk}-error"' in html
    assert '<details class="reservation-decline" open>' in html
    # Without JS: the reservation's page, with the error next to the field.
    response = client.post(url, {"reason": "   "})
    assert response.status_code == 400
    assert f'id="decline-reason-{reservation.pk}-error"' in response.content.decode()
    reservation.refresh_from_db()
    assert reservation.status == S.PENDING
    # With a reason: declined, units back.
    response = client.post(url, {"reason": "Plus de tomme"})
    assert response.status_code == 302
    reservation.refresh_from_db()
    assert reservation.status == S.DECLINED
    assert reservation.decline_reason == "Plus de tomme"
    assert stock(cheese) == 10


def test_the_shop_cancels_from_the_reservation_page(client, shop, cheese, customer, seller):
    reservation = reserve(customer, cheese, 2)
    reservation_mark_ready(actor=seller, reservation=reservation)
    client.force_login(seller)
    response = client.post(
        reverse("shop_reservations:cancel", args=[shop.slug, reservation.pk]),
        {"reason": "Fermé pour inventaire"},
    )
    assert response.status_code == 302
    reservation.refresh_from_db()
    assert reservation.status == S.CANCELLED
    assert stock(cheese) == 10


def test_opening_a_reservation_takes_it_out_of_new(client, shop, cheese, customer, seller):
    reservation = reserve(customer, cheese)
    client.force_login(seller)
    response = client.get(reverse("shop_reservations:detail", args=[shop.slug, reservation.pk]))
    assert response.status_code == 200
    assert f"data-pickup-code>{reservation.code}<" in response.content.decode()
    reservation.refresh_from_db()
    assert reservation.seen_at is not None


def test_a_typed_code_opens_its_reservation(client, shop, cheese, customer, seller):
    reservation = reserve(customer, cheese)
    client.force_login(seller)
    typed = f" {reservation.code[:3].lower()}-{reservation.code[3:].lower()} "
    response = client.get(reverse("shop_reservations:find_code", args=[shop.slug]), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "shop_reservations:detail", args=[shop.slug, reservation.pk]
    )
    # A code of no reservation of this shop: the inbox, the error next to the box.
    response = client.get(
        en("shop_reservations:find_code", merchant_slug=shop.slug), {"code": "XXXXXX"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="pickup-code-error"' in html
    assert 'value="XXXXXX"' in html


def test_a_scanned_qr_code_opens_the_reservation_for_the_team(
    client, shop, cheese, customer, seller
):
    reservation = reserve(customer, cheese)
    client.force_login(seller)
    response = client.get(reverse("shop_reservations:by_code", args=[shop.slug, reservation.code]))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "shop_reservations:detail", args=[shop.slug, reservation.pk]
    )
    unknown = client.get(reverse("shop_reservations:by_code", args=[shop.slug, "AAAAAA"]))
    assert unknown.status_code == 404


def test_the_inbox_takes_the_same_queries_at_3_and_30_reservations(
    client, django_assert_max_num_queries
):
    counts = []
    for size in (3, 30):
        shop = a_shop()
        seller = MerchantMemberFactory(merchant=shop, role="staff").user
        for _ in range(size):
            reservation = ReservationFactory(merchant=shop)
            ReservationLineFactory(reservation=reservation)
            ReservationLineFactory(reservation=reservation)
        client.force_login(seller)
        # session, user, the shop and role, the shop switcher, tab counts, page count,
        # reservations (with events), their lines.
        with django_assert_max_num_queries(8) as captured:
            response = client.get(reverse("shop_reservations:inbox", args=[shop.slug]))
        assert response.status_code == 200
        assert response.content.decode().count("data-reservation=") == size
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_a_staff_member_may_answer_too(client, shop, cheese, customer, seller):
    reservation = reserve(customer, cheese)
    client.force_login(seller)
    client.post(reverse("shop_reservations:confirm", args=[shop.slug, reservation.pk]))
    reservation.refresh_from_db()
    assert reservation.status == S.CONFIRMED
