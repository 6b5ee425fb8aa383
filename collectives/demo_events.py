"""The demo town's events and selections (loaded by ``manage.py seed_demo`` after the shops).

Dates are given relative to the day the seed runs, so the demo always has things to come: the
weekly market of each collective (with one Saturday cancelled and one moved), a ceramics
workshop with limited seats, a late opening on the first Friday of the month, a live sale
session with its line-up, and two selections of the Villeneuve collective.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from collectives.demo_data import (
    CUSTOMER,
    MARKET_ORGANISER,
    ORGANISER,
    POSTCODE,
    TOWN,
    Person,
)


@dataclass(frozen=True)
class EventPlan:
    """An event of a collective. ``first_in_days`` counts from the seed day (for a weekly
    rule, the first matching weekday on or after it); times are Paris wall-clock times."""

    collective: str
    organiser: Person
    kind: str
    title: str
    description: str
    first_in_days: int
    starts: dt.time
    ends: dt.time
    place_name: str = ""
    street: str = ""
    postcode: str = POSTCODE
    city: str = TOWN
    recurrence: str = ""
    weekday: int | None = None  # move the first date to this weekday (0 = Monday)
    capacity: int | None = None
    registration_open: bool = False
    stream_url: str = ""
    taking_part: tuple[str, ...] = ()  # shop keys that accept
    invited: tuple[str, ...] = ()  # shop keys asked, not answered yet
    featured: tuple[str, ...] = ()  # product SKUs
    lineup: tuple[tuple[str, str], ...] = ()  # (SKU, note) of a live session
    cancel_date: int | None = None  # index of a date (upcoming order) that is cancelled
    move_date: int | None = None  # index of a date that moves one hour later
    registrants: tuple[Person, ...] = ()
    look: str = "alimentation-primeur"  # the category whose colours draw the cover


@dataclass(frozen=True)
class SelectionPlan:
    collective: str
    organiser: Person
    title: str
    text: str
    products: tuple[str, ...]  # SKUs, in order
    visible_for_days: int | None = None
    proposal: tuple[str, str, str] | None = None  # (shop key, SKU, note): a pending proposal
    look: str = "maison-decoration"


VILLENEUVE = "Les Commerçants de Villeneuve"
VAL_DE_BRUNE = "Marché des producteurs du Val de Brune"

# Neighbours registered for the workshop with the demo customer (CUSTOMER): they fill
# seats, so the page shows « 1 place restante ».
NEIGHBOURS = (
    Person("jeanne.r@villeneuve.demo", "Jeanne R."),
    Person("karim.b@villeneuve.demo", "Karim B."),
    Person("odile.f@villeneuve.demo", "Odile F."),
    Person("paul.d@villeneuve.demo", "Paul D."),
)

EVENTS: tuple[EventPlan, ...] = (
    EventPlan(
        collective=VILLENEUVE,
        organiser=ORGANISER,
        kind="market",
        title="Marché de la halle",
        description=(
            "Chaque samedi matin sous la halle du XIVe siècle : les commerçants du centre "
            "sortent leurs étals, les producteurs du canton les rejoignent. Pain chaud, "
            "fromages affinés, fruits et légumes de saison, fleurs coupées.\n\n"
            "Vos réservations « click & collect » peuvent être retirées au stand de la boutique."
        ),
        first_in_days=1,
        weekday=5,
        starts=dt.time(8, 0),
        ends=dt.time(13, 0),
        place_name="Halle aux grains",
        street="Place de la Halle",
        recurrence="FREQ=WEEKLY;BYDAY=SA",
        taking_part=("boulangerie", "fromagerie", "primeur", "fleuriste"),
        invited=("caviste",),
        featured=("FOUR-01", "FROM-01", "FLEU-01"),
        cancel_date=3,
        move_date=5,
    ),
    EventPlan(
        collective=VILLENEUVE,
        organiser=ORGANISER,
        kind="workshop",
        title="Atelier tournage : votre premier bol",
        description=(
            "Deux heures et demie à l'atelier de la céramiste pour s'initier au tour : "
            "centrer la terre, monter les parois, tournasser. Vos bols sont émaillés et cuits "
            "à l'atelier, à retirer trois semaines plus tard. Tablier fourni ; prévoir des "
            "vêtements qui ne craignent rien. Dès 12 ans."
        ),
        first_in_days=9,
        starts=dt.time(14, 30),
        ends=dt.time(17, 0),
        place_name="Atelier Terre & Feu",
        street="12 rue des Arcades",
        capacity=6,
        registration_open=True,
        taking_part=("ceramiste",),
        featured=("TERR-01", "TERR-02"),
        registrants=(CUSTOMER, *NEIGHBOURS),
        look="maison-ceramique",
    ),
    EventPlan(
        collective=VILLENEUVE,
        organiser=ORGANISER,
        kind="late_opening",
        title="Nocturne du premier vendredi",
        description=(
            "Le premier vendredi du mois, les boutiques du centre restent ouvertes jusqu'à "
            "22 h : dégustations chez le caviste, lectures à la librairie, vin chaud sous la "
            "halle en hiver."
        ),
        first_in_days=0,
        starts=dt.time(18, 0),
        ends=dt.time(22, 0),
        place_name="Centre-ville",
        street="Rues des Arcades et de la Halle",
        recurrence="FREQ=MONTHLY;BYDAY=1FR;COUNT=8",
        taking_part=("caviste", "librairie", "torrefacteur", "epicerie"),
        look="alimentation-cave-et-boissons",
    ),
    EventPlan(
        collective=VILLENEUVE,
        organiser=ORGANISER,
        kind="live",
        title="Le direct des créateurs",
        description=(
            "Une heure en direct depuis l'atelier de la céramiste : les créatrices et "
            "créateurs du centre présentent leurs pièces de saison, répondent à vos "
            "questions, et vous réservez en boutique ce qui vous plaît."
        ),
        first_in_days=3,
        starts=dt.time(18, 30),
        ends=dt.time(19, 30),
        place_name="Atelier Terre & Feu",
        street="12 rue des Arcades",
        # The fictional town runs its own PeerTube: the link is as fictional as the town.
        stream_url="https://video.villeneuve-la-halle.fr/w/direct-des-createurs",
        taking_part=("ceramiste", "creatrice", "savonnerie"),
        lineup=(
            ("TERR-01", "Pièces uniques, émail bleu de cobalt"),
            ("TERR-05", ""),
            ("ANOU-02", "Fait main à Villeneuve"),
            ("ANOU-01", ""),
            ("SAVO-01", "Le préféré des habitués"),
        ),
        look="mode-bijoux",
    ),
    EventPlan(
        collective=VAL_DE_BRUNE,
        organiser=MARKET_ORGANISER,
        kind="market",
        title="Marché sous les platanes",
        description=(
            "Le marché des producteurs du Val de Brune, chaque samedi matin sur la place "
            "de Saint-Aubin-de-Brune : légumes, chèvres frais et affinés, miel, jus et "
            "pruneaux, vendus par celles et ceux qui les produisent."
        ),
        first_in_days=1,
        weekday=5,
        starts=dt.time(8, 0),
        ends=dt.time(12, 30),
        place_name="Place des Platanes",
        street="Place de l'Église",
        city="Saint-Aubin-de-Brune",
        recurrence="FREQ=WEEKLY;BYDAY=SA",
        taking_part=("maraicher", "apiculteur", "chevrerie", "vergers"),
    ),
)

SELECTIONS: tuple[SelectionPlan, ...] = (
    SelectionPlan(
        collective=VILLENEUVE,
        organiser=ORGANISER,
        title="Noël local",
        text=(
            "Des cadeaux faits ici, par des gens d'ici : céramique, bijoux, savons, livres "
            "de la région et douceurs de nos artisans. Réservez-les, passez les chercher en "
            "boutique, et offrez Villeneuve."
        ),
        products=("TERR-05", "ANOU-02", "SAVO-01", "LIBR-01", "BRUL-01", "CAVE-01"),
        visible_for_days=40,
        proposal=("fleuriste", "FLEU-02", "Un bouquet d'hiver pour la table de fête."),
        look="maison-fleurs",
    ),
    SelectionPlan(
        collective=VILLENEUVE,
        organiser=ORGANISER,
        title="Nouveautés de saison",
        text="Ce qui vient d'arriver dans les boutiques du centre.",
        products=("FOUR-03", "FROM-02", "VRAC-01", "SAVO-02"),
    ),
)
