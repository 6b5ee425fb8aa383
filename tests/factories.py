"""factory-boy factories for every model. Related rows are built through SubFactory so a test
states only what matters to it."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import User
from catalog.models import Category, ImportJob, Product, ProductImage
from collectives.models import (
    Collective,
    CollectiveInvitation,
    Event,
    EventOccurrence,
    EventParticipation,
    LineupItem,
    Membership,
    Organiser,
    Registration,
    Selection,
    SelectionItem,
)
from merchants.models import (
    Closure,
    Merchant,
    MerchantMember,
    OpeningHours,
    StaffInvitation,
    Story,
    StoryImage,
)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MerchantFactory(DjangoModelFactory):
    class Meta:
        model = Merchant

    name = factory.Sequence(lambda n: f"Boutique {n}")
    slug = factory.Sequence(lambda n: f"boutique-{n}")
    trade = "grocery"
    short_description = "Une boutique du centre-ville."
    street = "1 rue de la Halle"
    postcode = "47300"
    city = "Villeneuve"
    status = Merchant.Status.ACTIVE


class MerchantMemberFactory(DjangoModelFactory):
    class Meta:
        model = MerchantMember

    merchant = factory.SubFactory(MerchantFactory)
    user = factory.SubFactory(UserFactory)
    role = MerchantMember.Role.OWNER


class OpeningHoursFactory(DjangoModelFactory):
    class Meta:
        model = OpeningHours

    merchant = factory.SubFactory(MerchantFactory)
    weekday = 1
    opens = dt.time(9, 0)
    closes = dt.time(12, 30)


class ClosureFactory(DjangoModelFactory):
    class Meta:
        model = Closure

    merchant = factory.SubFactory(MerchantFactory)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=10))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + dt.timedelta(days=7))
    reason = "Congés"


class CollectiveFactory(DjangoModelFactory):
    class Meta:
        model = Collective

    name = factory.Sequence(lambda n: f"Collectif {n}")
    slug = factory.Sequence(lambda n: f"collectif-{n}")
    town = "Villeneuve"
    status = Collective.Status.ACTIVE


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    collective = factory.SubFactory(CollectiveFactory)
    merchant = factory.SubFactory(MerchantFactory)
    status = Membership.Status.ACTIVE
    joined_at = factory.LazyFunction(timezone.now)


class OrganiserFactory(DjangoModelFactory):
    class Meta:
        model = Organiser

    collective = factory.SubFactory(CollectiveFactory)
    user = factory.SubFactory(UserFactory)
    role = Organiser.Role.ADMIN


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Catégorie {n}")
    slug = factory.Sequence(lambda n: f"categorie-{n}")


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    merchant = factory.SubFactory(MerchantFactory)
    title = factory.Sequence(lambda n: f"Produit {n}")
    slug = factory.Sequence(lambda n: f"produit-{n}")
    price = Decimal("4.50")
    vat_rate = Decimal("5.50")
    status = Product.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    stock = None


class ProductImageFactory(DjangoModelFactory):
    class Meta:
        model = ProductImage

    product = factory.SubFactory(ProductFactory)
    image = factory.django.ImageField(width=64, height=64, color="orange", format="JPEG")
    alt_text = "Une photo du produit"
    position = factory.Sequence(lambda n: n)


class StaffInvitationFactory(DjangoModelFactory):
    class Meta:
        model = StaffInvitation

    merchant = factory.SubFactory(MerchantFactory)
    email = factory.Sequence(lambda n: f"vendeur{n}@example.org")
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))


class StoryFactory(DjangoModelFactory):
    class Meta:
        model = Story

    merchant = factory.SubFactory(MerchantFactory)
    title = factory.Sequence(lambda n: f"Histoire {n}")
    slug = factory.Sequence(lambda n: f"histoire-{n}")
    body = "Nous *pétrissons* à la main."
    status = Story.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class StoryImageFactory(DjangoModelFactory):
    class Meta:
        model = StoryImage

    story = factory.SubFactory(StoryFactory)
    image = factory.django.ImageField(width=64, height=64, color="teal", format="JPEG")
    alt_text = "Le fournil"
    position = factory.Sequence(lambda n: n)


class ImportJobFactory(DjangoModelFactory):
    class Meta:
        model = ImportJob

    merchant = factory.SubFactory(MerchantFactory)
    filename = "produits.csv"


class CollectiveInvitationFactory(DjangoModelFactory):
    class Meta:
        model = CollectiveInvitation

    collective = factory.SubFactory(CollectiveFactory)
    email = factory.Sequence(lambda n: f"commerce{n}@example.org")
    token_hash = factory.Sequence(lambda n: f"c{n:063x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))


def _next_saturday_morning() -> dt.datetime:
    """A week ahead at 8 h, Paris time: far enough that nothing has started."""
    day = timezone.localdate() + dt.timedelta(days=7)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(8, 0)))


class EventFactory(DjangoModelFactory):
    """A published one-off event with its one date (``EventOccurrence``) created alongside,
    as ``collectives.services.event_create`` does. Recurring events go through the service."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    collective = factory.SubFactory(CollectiveFactory)
    kind = Event.Kind.WORKSHOP
    title = factory.Sequence(lambda n: f"Atelier {n}")
    slug = factory.Sequence(lambda n: f"atelier-{n}")
    description = "Un atelier au centre-ville."
    starts_at = factory.LazyFunction(_next_saturday_morning)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    place_name = "Halle aux grains"
    city = "Villeneuve"
    status = Event.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    registration_open = True

    @factory.post_generation
    def occurrence(obj, create, extracted, **kwargs):
        if create and not obj.recurrence:
            EventOccurrence.objects.create(
                event=obj,
                original_start=obj.starts_at,
                starts_at=obj.starts_at,
                ends_at=obj.ends_at,
                capacity=obj.capacity,
            )


class RegistrationFactory(DjangoModelFactory):
    class Meta:
        model = Registration

    occurrence = factory.LazyFunction(lambda: EventFactory().occurrences.get())
    user = factory.SubFactory(UserFactory)
    status = Registration.Status.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)


class EventParticipationFactory(DjangoModelFactory):
    class Meta:
        model = EventParticipation

    event = factory.SubFactory(EventFactory)
    merchant = factory.SubFactory(MerchantFactory)
    status = EventParticipation.Status.INVITED


class LineupItemFactory(DjangoModelFactory):
    class Meta:
        model = LineupItem

    event = factory.SubFactory(EventFactory, kind=Event.Kind.LIVE, registration_open=False)
    product = factory.SubFactory(ProductFactory)
    position = factory.Sequence(lambda n: n)


class SelectionFactory(DjangoModelFactory):
    class Meta:
        model = Selection

    collective = factory.SubFactory(CollectiveFactory)
    title = factory.Sequence(lambda n: f"Sélection {n}")
    slug = factory.Sequence(lambda n: f"selection-{n}")
    text = "Les coups de cœur des commerçants."
    status = Selection.Status.PUBLISHED


class SelectionItemFactory(DjangoModelFactory):
    class Meta:
        model = SelectionItem

    selection = factory.SubFactory(SelectionFactory)
    product = factory.SubFactory(ProductFactory)
    status = SelectionItem.Status.ACCEPTED
    position = factory.Sequence(lambda n: n)
