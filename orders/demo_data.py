"""The demo town's customers at work (loaded by ``manage.py seed_demo`` after the events):
reservations waiting in the bakery's inbox at every step, a group buy of the cheese shop
close to its first tier, and the demo customer's follows, so « Mon fil » has news."""

from __future__ import annotations

from dataclasses import dataclass

from collectives.demo_data import CUSTOMER, Person
from collectives.demo_events import NEIGHBOURS, VILLENEUVE


@dataclass(frozen=True)
class ReservationPlan:
    """A customer's reservation of one product; ``step`` is how far the shop has taken it."""

    customer: Person
    shop: str
    sku: str
    quantity: int
    step: str = "pending"  # pending | confirmed | ready | collected
    note: str = ""


@dataclass(frozen=True)
class GroupBuyPlan:
    shop: str
    sku: str
    description: str
    tiers: tuple[tuple[int, str], ...]  # (total quantity, discount %)
    days: int  # until the deadline
    max_quantity: int | None
    pledges: tuple[tuple[Person, int], ...]


RESERVATIONS: tuple[ReservationPlan, ...] = (
    ReservationPlan(CUSTOMER, "boulangerie", "FOUR-02", 1, "ready"),
    ReservationPlan(
        NEIGHBOURS[0], "boulangerie", "FOUR-01", 4, "pending", "Bien cuites si possible !"
    ),
    ReservationPlan(NEIGHBOURS[1], "boulangerie", "FOUR-03", 2, "confirmed"),
    ReservationPlan(NEIGHBOURS[2], "boulangerie", "FOUR-01", 2, "collected"),
    ReservationPlan(CUSTOMER, "fromagerie", "FROM-02", 1, "pending"),
)

GROUP_BUYS: tuple[GroupBuyPlan, ...] = (
    GroupBuyPlan(
        shop="fromagerie",
        sku="FROM-01",
        description=(
            "Une meule de comté 18 mois commandée ensemble chez l'affineur : plus nous "
            "sommes nombreux, moins elle coûte. Retrait à la fromagerie la semaine suivante."
        ),
        tiers=((10, "10"), (25, "15")),
        days=6,
        max_quantity=40,
        pledges=(
            (CUSTOMER, 2),
            (NEIGHBOURS[0], 3),
            (NEIGHBOURS[1], 1),
            (NEIGHBOURS[3], 2),
        ),
    ),
)

# (person, shop keys, collective names) the demo customer and neighbours follow.
FOLLOWS: tuple[tuple[Person, tuple[str, ...], tuple[str, ...]], ...] = (
    (CUSTOMER, ("fromagerie", "ceramiste"), (VILLENEUVE,)),
    (NEIGHBOURS[0], ("boulangerie",), (VILLENEUVE,)),
)
