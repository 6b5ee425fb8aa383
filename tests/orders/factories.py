"""factory-boy factories for the orders models (reservations, group buys, pledges). Related
rows are built through SubFactory so a test states only what matters to it; the product of a
line or a group buy belongs to the shop of its reservation or group buy."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from orders.codes import ALPHABET, LENGTH
from orders.models import GroupBuy, GroupBuyTier, Pledge, Reservation, ReservationLine
from tests.factories import MerchantFactory, ProductFactory, UserFactory


def _tomorrow_evening() -> dt.datetime:
    """A pickup deadline a day ahead at 19 h, Paris time."""
    day = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(19, 0)))


def _code(n: int) -> str:
    """The n-th pickup code in the codes' alphabet: unique and deterministic."""
    digits = []
    for _position in range(LENGTH):
        n, rest = divmod(n, len(ALPHABET))
        digits.append(ALPHABET[rest])
    return "".join(reversed(digits))


class ReservationFactory(DjangoModelFactory):
    """A pending reservation without lines (add them with :class:`ReservationLineFactory`;
    ``total`` is whatever the test sets — the services compute it)."""

    class Meta:
        model = Reservation

    merchant = factory.SubFactory(MerchantFactory)
    customer = factory.SubFactory(UserFactory)
    customer_name = factory.LazyAttribute(
        lambda o: o.customer.get_full_name() if o.customer else "Client"
    )
    customer_email = factory.LazyAttribute(lambda o: o.customer.email if o.customer else "")
    status = Reservation.Status.PENDING
    code = factory.Sequence(_code)
    pickup_deadline = factory.LazyFunction(_tomorrow_evening)
    total = Decimal("0.00")
    confirmed_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status in ("confirmed", "ready", "collected") else None
    )
    ready_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status in ("ready", "collected") else None
    )
    collected_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == "collected" else None
    )
    closed_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status in ("declined", "cancelled", "expired") else None
    )


class ReservationLineFactory(DjangoModelFactory):
    """A line at the product's price; ``holds_stock`` False (the factory takes no stock)."""

    class Meta:
        model = ReservationLine

    reservation = factory.SubFactory(ReservationFactory)
    product = factory.SubFactory(
        ProductFactory, merchant=factory.SelfAttribute("..reservation.merchant")
    )
    title = factory.LazyAttribute(lambda o: o.product.title)
    unit_price = factory.LazyAttribute(lambda o: o.product.price)
    quantity = 1
    holds_stock = False


class GroupBuyFactory(DjangoModelFactory):
    """An open group buy on a product of its shop, a week from its deadline, no tiers (add
    them with :class:`GroupBuyTierFactory`)."""

    class Meta:
        model = GroupBuy

    merchant = factory.SubFactory(MerchantFactory)
    product = factory.SubFactory(ProductFactory, merchant=factory.SelfAttribute("..merchant"))
    opened_by = None
    description = "Commandons ensemble."
    unit_price = factory.LazyAttribute(lambda o: o.product.price)
    deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    max_quantity = None
    pledged_quantity = 0
    status = GroupBuy.Status.OPEN
    closed_at = factory.LazyAttribute(
        lambda o: None if o.status == GroupBuy.Status.OPEN else timezone.now()
    )


class GroupBuyTierFactory(DjangoModelFactory):
    class Meta:
        model = GroupBuyTier

    group_buy = factory.SubFactory(GroupBuyFactory)
    min_quantity = factory.Sequence(lambda n: 10 * (n + 1))
    discount = Decimal("10.00")


class PledgeFactory(DjangoModelFactory):
    """An active pledge. The factory does not add its quantity to the group buy's
    ``pledged_quantity`` (the services do); set it on the group buy when a test needs it."""

    class Meta:
        model = Pledge

    group_buy = factory.SubFactory(GroupBuyFactory)
    customer = factory.SubFactory(UserFactory)
    quantity = 1
    status = Pledge.Status.ACTIVE
