"""``manage.py seed_demo``: load the demo town of :mod:`collectives.demo_data`.

Every row is made by the same services a person's clicks call, acting as the person who
would do it (the shop owner creates the shop and its products, an organiser invites, the
owner accepts), so the demo data obeys the rules real data obeys.

Idempotent: people are keyed by e-mail, shops by owner and name, collectives by admin and
name, products by shop and SKU; whatever exists is left as it is, and a second run creates
nothing. The data is written in one transaction, so a failure leaves nothing behind (the
photo files stored on the way are deleted too). Photos are then processed here, after the
commit, so they are ready when the command returns even without a Celery worker; the tasks
``product_image_add`` queued on commit find them done and do nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import time
import unicodedata
import zlib
from collections import Counter
from decimal import Decimal
from functools import cache
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageColor, ImageDraw, ImageFont

from accounts.models import User
from catalog.models import Category, Product, ProductImage
from catalog.services import (
    product_create,
    product_image_add,
    product_image_process,
    product_publish,
)
from collectives import demo_data as demo
from collectives import demo_events
from collectives.models import (
    Collective,
    Event,
    EventPhoto,
    Membership,
    Organiser,
    Selection,
    SelectionPhoto,
)
from collectives.recurrence import rule_starts
from collectives.services import (
    collective_create,
    collective_publish,
    membership_accept,
    membership_approve,
    membership_invite,
    membership_request,
    organiser_add,
)
from collectives.services.events import (
    event_create,
    event_participation_answer,
    event_participation_invite,
    event_publish,
    event_set_featured_products,
    occurrence_cancel,
    occurrence_move,
)
from collectives.services.follows import follow_collective, follow_shop
from collectives.services.live import lineup_add
from collectives.services.registrations import registration_create
from collectives.services.selections import (
    selection_add_product,
    selection_create,
    selection_propose,
    selection_publish,
)
from merchants.models import Merchant, MerchantMember, Story, StoryImage
from merchants.services import (
    closure_add,
    merchant_add_staff,
    merchant_create,
    merchant_publish,
    opening_hours_replace,
    photo_process,
    story_create,
)
from orders.models import GroupBuy, Reservation

MS = Membership.Status


class Command(BaseCommand):
    help = (
        "Load the demo town (two collectives, their shops, products and photos) through the "
        "services. Safe to run again: only what is missing is added. Demo accounts share the "
        f"password « {demo.DEMO_PASSWORD} »: never run this in production."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        verbose = options["verbosity"] > 0
        # One hash for every demo account: hashing is deliberately slow (PBKDF2), and thirty
        # identical passwords do not need thirty salts.
        seeder = DemoSeeder(
            password_hash=make_password(demo.DEMO_PASSWORD), today=timezone.localdate()
        )

        committed = False

        def mark_committed() -> None:
            nonlocal committed
            committed = True

        try:
            with transaction.atomic():
                # Registered first, so it runs before the photo tasks product_image_add queues.
                transaction.on_commit(mark_committed)
                seeder.run()
        except Exception as error:
            if not committed:
                # Rolled back: the rows are gone, the files stored on the way must go too.
                seeder.discard_stored_files()
                raise
            # The data is committed; only queuing a photo task failed (Redis unreachable).
            # The photos are processed below anyway.
            self.stderr.write(
                f"Tâche de traitement des photos non envoyée ({error!r}) ; elles sont "
                "traitées ici. / Photo task not queued; processing the photos here."
            )

        photo_started = time.monotonic()
        photos = seeder.process_pending_photos()
        photo_seconds = time.monotonic() - photo_started
        if photos[ProductImage.Status.FAILED]:
            self.stderr.write(
                self.style.WARNING(
                    f"{photos[ProductImage.Status.FAILED]} photo(s) refusée(s) par le "
                    "traitement / photo(s) failed processing."
                )
            )
        if verbose:
            self.stdout.write(
                summary(seeder, photos, photo_seconds, total_seconds=time.monotonic() - started)
            )


class DemoSeeder:
    """Creates whatever of :mod:`collectives.demo_data` is missing, through the services."""

    def __init__(self, *, password_hash: str, today: dt.date) -> None:
        self.password_hash = password_hash
        self.today = today
        self.created: Counter[str] = Counter()
        self.users: dict[str, User] = {}
        self.shops: dict[str, Merchant] = {}
        self.owners: dict[str, User] = {}
        self.plans: dict[str, demo.Shop] = {}
        self.collectives: list[Collective] = []
        self.categories: dict[str, Category] = {}
        # Files written to storage inside the transaction, deleted if it rolls back.
        self.stored_files: list[str | None] = []

    def run(self) -> None:
        self.categories = {c.slug: c for c in Category.objects.all()}
        needed = {demo_shop.category for demo_shop in demo.SHOPS} | {
            item.category for demo_shop in demo.SHOPS for item in demo_shop.products
        }
        missing = sorted(slug for slug in needed - set(self.categories) if slug)
        if missing:
            raise CommandError(
                f"Catégories absentes / missing categories: {', '.join(missing)}. "
                "Run `manage.py migrate` first."
            )
        self.user(demo.PLATFORM_ADMIN, superuser=True)
        self.user(demo.CUSTOMER)
        for plan in demo.SHOPS:
            self.shop(plan)
        for collective_plan in demo.COLLECTIVES:
            self.collective(collective_plan)
        for story_plan in demo.STORIES:
            self.story(story_plan)
        for event_plan in demo_events.EVENTS:
            self.event(event_plan)
        for selection_plan in demo_events.SELECTIONS:
            self.selection(selection_plan)
        self.customers()
        self.insights()

    # --- People ---------------------------------------------------------------------------

    def user(self, person: demo.Person, *, superuser: bool = False) -> User:
        """The account of ``person``, created with a verified e-mail address if missing."""
        if person.email in self.users:
            return self.users[person.email]
        user = User.objects.filter(email__iexact=person.email).first()
        if user is None:
            create = User.objects.create_superuser if superuser else User.objects.create_user
            user = create(person.email, password=None, display_name=person.display_name)
            user.password = self.password_hash
            user.save(update_fields=["password"])
            self.created["accounts"] += 1
        # Sign-in requires a verified address (ACCOUNT_EMAIL_VERIFICATION = "mandatory").
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        self.users[person.email] = user
        return user

    # --- Shops and products ---------------------------------------------------------------

    def shop(self, plan: demo.Shop) -> Merchant:
        owner = self.user(plan.owner)
        merchant = Merchant.objects.filter(
            members__user=owner, members__role=MerchantMember.Role.OWNER, name=plan.name
        ).first()
        if merchant is None:
            merchant = self._open_shop(plan, owner)
        self.shops[plan.key] = merchant
        self.owners[plan.key] = owner
        self.plans[plan.key] = plan
        self.products(plan, merchant, owner)
        return merchant

    def _open_shop(self, plan: demo.Shop, owner: User) -> Merchant:
        latitude, longitude = plan.position
        cover = SimpleUploadedFile(
            f"{slugify(plan.name)}.jpg",
            draw_cover(plan.name, plan.city, plan.category),
            content_type="image/jpeg",
        )
        merchant = merchant_create(
            actor=owner,
            name=plan.name,
            trade=plan.trade,
            short_description=plan.short_description,
            story=plan.story,
            street=plan.street,
            postcode=plan.postcode,
            city=plan.city,
            latitude=latitude,
            longitude=longitude,
            phone=plan.phone,
            email=plan.owner.email,
            cover_image=cover,
        )
        self.stored_files.append(merchant.cover_image.name)
        opening_hours_replace(actor=owner, merchant=merchant, ranges=plan.hours)
        if plan.closure is not None:
            starts_on = self.today + dt.timedelta(days=plan.closure.starts_in_days)
            closure_add(
                actor=owner,
                merchant=merchant,
                starts_on=starts_on,
                ends_on=starts_on + dt.timedelta(days=plan.closure.days - 1),
                reason=plan.closure.reason,
            )
        for person in plan.staff:
            merchant_add_staff(actor=owner, merchant=merchant, user=self.user(person))
        if plan.publish:
            merchant = merchant_publish(actor=owner, merchant=merchant)
        self.created["shops"] += 1
        return merchant

    def products(self, plan: demo.Shop, merchant: Merchant, owner: User) -> None:
        existing = {p.sku: p for p in Product.objects.filter(merchant=merchant).exclude(sku="")}
        illustrated = set(
            ProductImage.objects.filter(product__merchant=merchant).values_list(
                "product_id", flat=True
            )
        )
        for item in plan.products:
            product = existing.get(item.sku)
            if product is None:
                product = product_create(
                    actor=owner,
                    merchant=merchant,
                    title=item.title,
                    price=item.price,
                    sku=item.sku,
                    description=item.description,
                    compare_at_price=item.compare_at,
                    vat_rate=item.vat or plan.vat,
                    unit=item.unit,
                    stock=item.stock,
                    labels=list(item.labels),
                    category=self.categories[item.category or plan.category],
                )
                if not item.draft:
                    product = product_publish(actor=owner, product=product)
                self.created["products"] += 1
            if product.pk not in illustrated:
                self.photos(item, product, plan, owner)

    def photos(self, item: demo.Item, product: Product, plan: demo.Shop, owner: User) -> None:
        category = item.category or plan.category
        for variant in range(item.photos):
            upload = SimpleUploadedFile(
                f"{item.sku.lower()}-{variant + 1}.jpg",
                draw_product_photo(item.title, plan.name, category, seed=item.sku, detail=variant),
                content_type="image/jpeg",
            )
            alt_text = (
                f"Illustration de « {item.title} », {plan.name}"
                if variant == 0
                else f"Détail de « {item.title} », vu de près"
            )
            image = product_image_add(
                actor=owner, product=product, upload=upload, alt_text=alt_text[:200]
            )
            self.stored_files.append(image.image.name)
            self.created["photos"] += 1

    # --- Stories --------------------------------------------------------------------------

    def story(self, plan: demo.StoryPlan) -> Story:
        """A published story of the shop with one drawn photo, unless it exists already."""
        merchant, owner = self.shops[plan.shop], self.owners[plan.shop]
        existing = merchant.stories.filter(title=plan.title).first()
        if existing is not None:
            return existing
        photo = SimpleUploadedFile(
            f"{slugify(plan.title)}.jpg",
            draw_cover(plan.title, merchant.name, self.plans[plan.shop].category),
            content_type="image/jpeg",
        )
        story = story_create(
            actor=owner,
            merchant=merchant,
            title=plan.title,
            body=plan.body,
            video_url=plan.video_url,
            products=list(merchant.products.filter(sku__in=plan.products)),
            photos=[photo],
            publish=True,
        )
        self.stored_files.extend(image.image.name for image in story.images.all())
        self.created["stories"] += 1
        return story

    # --- Collectives ----------------------------------------------------------------------

    def collective(self, plan: demo.CollectivePlan) -> Collective:
        admin = self.user(plan.admin)
        collective = Collective.objects.filter(
            organisers__user=admin, organisers__role=Organiser.Role.ADMIN, name=plan.name
        ).first()
        if collective is None:
            latitude, longitude = plan.centre
            collective = collective_create(
                actor=admin,
                name=plan.name,
                town=plan.town,
                description=plan.description,
                charter=plan.charter,
                map_latitude=latitude,
                map_longitude=longitude,
                map_zoom=plan.zoom,
            )
            # Published before members join: a shop can only ask to join an active collective.
            collective = collective_publish(actor=admin, collective=collective)
            self.created["collectives"] += 1
        self.collectives.append(collective)

        organisers = [admin]
        for person in plan.organisers:
            user = self.user(person)
            organisers.append(user)
            if not Organiser.objects.filter(collective=collective, user=user).exists():
                organiser_add(actor=admin, collective=collective, user=user)
        # Requests are answered by a co-organiser when there is one, as often in real life.
        approver = organisers[-1]

        for key, how in plan.members:
            self.membership(collective, key, how, plan, inviter=admin, approver=approver)
        return collective

    def membership(
        self,
        collective: Collective,
        shop_key: str,
        how: str,
        plan: demo.CollectivePlan,
        *,
        inviter: User,
        approver: User,
    ) -> None:
        """Bring the shop to the state ``how`` asks for, by the path ``how`` names."""
        merchant, owner = self.shops[shop_key], self.owners[shop_key]
        membership = Membership.objects.filter(collective=collective, merchant=merchant).first()
        if membership is None:
            if how == demo.BY_INVITATION:
                membership = membership_invite(
                    actor=inviter, collective=collective, merchant=merchant, message=plan.invitation
                )
            else:
                membership = membership_request(
                    actor=owner,
                    collective=collective,
                    merchant=merchant,
                    message=(
                        f"Bonjour, {merchant.name} aimerait rejoindre « {collective.name} ». "
                        "Nous avons lu la charte et nous y adhérons."
                    ),
                )
            self.created["memberships"] += 1
        if membership.status == MS.INVITED and how == demo.BY_INVITATION:
            membership_accept(actor=owner, membership=membership)
        elif membership.status == MS.REQUESTED and how == demo.BY_REQUEST:
            membership_approve(actor=approver, membership=membership)

    # --- After the transaction ------------------------------------------------------------

    # --- Events and selections -----------------------------------------------------------

    def _collective_named(self, name: str) -> Collective:
        return next(c for c in self.collectives if c.name == name)

    def _products(self, collective: Collective, skus: tuple[str, ...]) -> list[Product]:
        """The collective's published products of these SKUs, in the order given."""
        found = {
            p.sku: p
            for p in Product.objects.published().for_collective(collective).filter(sku__in=skus)
        }
        return [found[sku] for sku in skus if sku in found]

    def _cover(self, title: str, town: str, look: str) -> SimpleUploadedFile:
        return SimpleUploadedFile(
            f"{slugify(title)}.jpg", draw_cover(title, town, look), content_type="image/jpeg"
        )

    def event(self, plan: demo_events.EventPlan) -> Event | None:
        """A published event with its dates, shops, featured products, line-up and
        registrations, made by its organiser (and the shops' owners for their answers)."""
        collective = self._collective_named(plan.collective)
        if Event.objects.filter(collective=collective, title=plan.title).exists():
            return None
        organiser = self.user(plan.organiser)
        day = self.today + dt.timedelta(days=plan.first_in_days)
        if plan.weekday is not None:
            day += dt.timedelta(days=(plan.weekday - day.weekday()) % 7)
        starts_at = timezone.make_aware(dt.datetime.combine(day, plan.starts))
        ends_at = timezone.make_aware(dt.datetime.combine(day, plan.ends))
        if plan.recurrence:  # the first date is the rule's first (« 1er vendredi »)
            first = rule_starts(
                rule=plan.recurrence,
                first_start=starts_at,
                after=starts_at,
                until=starts_at + dt.timedelta(days=62),
            )[0]
            starts_at, ends_at = first, first + (ends_at - starts_at)
        event = event_create(
            actor=organiser,
            collective=collective,
            title=plan.title,
            starts_at=starts_at,
            ends_at=ends_at,
            kind=plan.kind,
            description=plan.description,
            place_name=plan.place_name,
            street=plan.street,
            postcode=plan.postcode,
            city=plan.city,
            recurrence=plan.recurrence,
            capacity=plan.capacity,
            registration_open=plan.registration_open,
            stream_url=plan.stream_url,
            cover=self._cover(plan.title, plan.city, plan.look),
        )
        self.stored_files.extend(event.photos.values_list("image", flat=True))
        event = event_publish(actor=organiser, event=event)
        shops = [self.shops[key] for key in (*plan.taking_part, *plan.invited)]
        for participation in event_participation_invite(
            actor=organiser, event=event, merchants=shops
        ):
            key = next(k for k, shop in self.shops.items() if shop.pk == participation.merchant_id)
            if key in plan.taking_part:
                event_participation_answer(
                    actor=self.owners[key], participation=participation, accept=True
                )
        if plan.featured:
            event_set_featured_products(
                actor=organiser, event=event, products=self._products(collective, plan.featured)
            )
        for product, (_sku, note) in zip(
            self._products(collective, tuple(sku for sku, _note in plan.lineup)),
            plan.lineup,
            strict=True,
        ):
            lineup_add(actor=organiser, event=event, product=product, note=note)
        dates = list(event.occurrences.order_by("starts_at"))
        if plan.cancel_date is not None:
            occurrence_cancel(actor=organiser, occurrence=dates[plan.cancel_date])
        if plan.move_date is not None:
            moved = dates[plan.move_date]
            occurrence_move(
                actor=organiser,
                occurrence=moved,
                starts_at=moved.starts_at + dt.timedelta(hours=1),
                ends_at=moved.ends_at + dt.timedelta(hours=1),
            )
        for person in plan.registrants:
            registration_create(actor=self.user(person), occurrence=dates[0])
        self.created["events"] += 1
        return event

    def selection(self, plan: demo_events.SelectionPlan) -> Selection | None:
        """A published selection in the plan's order, and a shop's proposal waiting."""
        collective = self._collective_named(plan.collective)
        if Selection.objects.filter(collective=collective, title=plan.title).exists():
            return None
        organiser = self.user(plan.organiser)
        now = timezone.now()
        selection = selection_create(
            actor=organiser,
            collective=collective,
            title=plan.title,
            text=plan.text,
            visible_until=(
                now + dt.timedelta(days=plan.visible_for_days) if plan.visible_for_days else None
            ),
            cover=self._cover(plan.title, collective.town, plan.look),
        )
        self.stored_files.extend(selection.photos.values_list("image", flat=True))
        for product in self._products(collective, plan.products):
            selection_add_product(actor=organiser, selection=selection, product=product)
        selection = selection_publish(actor=organiser, selection=selection)
        if plan.proposal is not None:
            key, sku, note = plan.proposal
            product = Product.objects.get(merchant=self.shops[key], sku=sku)
            selection_propose(
                actor=self.owners[key], selection=selection, product=product, note=note
            )
        self.created["selections"] += 1
        return selection

    # --- Customers: follows, reservations, a group buy ------------------------------------

    def customers(self) -> None:
        """What the town's customers did: follows, reservations at every step of the
        bakery's inbox, and a group buy near its first tier. The orders app sits downstream
        of collectives; this command composes the whole demo, so it imports it here."""
        from orders import demo_data as demo_orders

        for person, shop_keys, collective_names in demo_orders.FOLLOWS:
            user = self.user(person)
            for key in shop_keys:
                follow_shop(actor=user, merchant=self.shops[key])
            for name in collective_names:
                follow_collective(actor=user, collective=self._collective_named(name))
        # Reservations expire and group buys close: a later `make run` brings the inbox and
        # the group buy back, so the demo always shows them at work.
        shops = list(self.shops.values())
        if not Reservation.objects.filter(
            merchant__in=shops, status__in=Reservation.OPEN_STATUSES
        ).exists():
            for plan in demo_orders.RESERVATIONS:
                self.reservation(plan)
        for group_buy_plan in demo_orders.GROUP_BUYS:
            self.group_buy(group_buy_plan)

    def insights(self) -> None:
        """A year of plausible figures behind the dashboards (views, searches, and daily
        totals before the demo's own activity), then today's real totals."""
        from insights.demo_data import seed_history
        from insights.services.aggregation import aggregate_range

        written = seed_history(collectives=self.collectives)
        if written:
            self.created["history rows"] += written
        aggregate_range(start=self.today, end=self.today)

    def reservation(self, plan: Any) -> Reservation:
        from orders.selectors.reservations import pickup_choices
        from orders.services import reservations as booking

        shop, owner = self.shops[plan.shop], self.owners[plan.shop]
        product = Product.objects.get(merchant=shop, sku=plan.sku)
        choice = pickup_choices(merchant=shop)[0]
        reservation = booking.reservation_create(
            actor=self.user(plan.customer),
            product=product,
            quantity=plan.quantity,
            pickup=choice.key,
            note=plan.note,
        )
        steps = {
            "confirmed": [booking.reservation_confirm],
            "ready": [booking.reservation_confirm, booking.reservation_mark_ready],
            "collected": [
                booking.reservation_confirm,
                booking.reservation_mark_ready,
                booking.reservation_collect,
            ],
        }
        for step in steps.get(plan.step, []):
            reservation = step(actor=owner, reservation=reservation)
        if plan.step != "pending":
            booking.reservation_mark_seen(actor=owner, reservation=reservation)
        self.created["reservations"] += 1
        return reservation

    def group_buy(self, plan: Any) -> GroupBuy | None:
        from orders.services.group_buys import TierRequest, group_buy_open, pledge_place

        shop, owner = self.shops[plan.shop], self.owners[plan.shop]
        product = Product.objects.get(merchant=shop, sku=plan.sku)
        if GroupBuy.objects.filter(product=product, status=GroupBuy.Status.OPEN).exists():
            return None
        deadline = timezone.make_aware(
            dt.datetime.combine(self.today + dt.timedelta(days=plan.days), dt.time(20, 0))
        )
        group_buy = group_buy_open(
            actor=owner,
            product=product,
            tiers=[TierRequest(quantity, Decimal(discount)) for quantity, discount in plan.tiers],
            deadline=deadline,
            max_quantity=plan.max_quantity,
            description=plan.description,
        )
        for person, quantity in plan.pledges:
            pledge_place(actor=self.user(person), group_buy=group_buy, quantity=quantity)
        self.created["group buys"] += 1
        return group_buy

    def discard_stored_files(self) -> None:
        for name in filter(None, self.stored_files):
            default_storage.delete(name)
        self.stored_files.clear()

    def process_pending_photos(self) -> Counter[str]:
        """Process every demo photo still pending (this run's, or one an earlier run left)."""
        pending = ProductImage.objects.filter(
            product__merchant__in=list(self.shops.values()), status=ProductImage.Status.PENDING
        ).values_list("pk", flat=True)
        outcome: Counter[str] = Counter()
        for image_id in pending.order_by("pk"):
            image = product_image_process(image_id=image_id)
            outcome[image.status if image is not None else "gone"] += 1
        story_photos = StoryImage.objects.filter(
            story__merchant__in=list(self.shops.values()), status=StoryImage.Status.PENDING
        ).values_list("pk", flat=True)
        for photo_id in story_photos.order_by("pk"):
            photo = photo_process(photo_model=StoryImage, photo_id=photo_id)
            outcome[photo.status if photo is not None else "gone"] += 1
        collectives = list(self.collectives)
        covers: list[tuple[type[EventPhoto] | type[SelectionPhoto], Any]] = [
            (EventPhoto, EventPhoto.objects.filter(event__collective__in=collectives)),
            (SelectionPhoto, SelectionPhoto.objects.filter(selection__collective__in=collectives)),
        ]
        for model, photos in covers:
            pending = photos.filter(status=EventPhoto.Status.PENDING).order_by("pk")
            for photo_id in pending.values_list("pk", flat=True):
                cover = photo_process(photo_model=model, photo_id=photo_id)
                outcome[cover.status if cover is not None else "gone"] += 1
        return outcome


# --- Summary ------------------------------------------------------------------------------


def summary(
    seeder: DemoSeeder, photos: Counter[str], photo_seconds: float, *, total_seconds: float
) -> str:
    created = seeder.created
    if created:
        made = (
            f"{created['collectives']} collectifs / collectives, {created['shops']} boutiques "
            f"/ shops, {created['products']} produits / products, {created['photos']} photos, "
            f"{created['accounts']} comptes / accounts, {created['memberships']} adhésions "
            f"/ memberships, {created['stories']} histoires / stories, {created['events']} "
            f"événements / events, {created['selections']} sélections / selections, "
            f"{created['reservations']} réservations / reservations, {created['group buys']} "
            "achat(s) groupé(s) / group buy(s)"
        )
    else:
        made = "rien, tout existait déjà / nothing, everything was already there"
    lines = [
        f"Données de démonstration prêtes / Demo data ready ({total_seconds:.1f} s).",
        f"  Créé / created: {made}.",
    ]
    if photos:
        lines.append(
            f"  Photos traitées / processed: {photos[ProductImage.Status.READY]} "
            f"({photo_seconds:.1f} s)."
        )
    for collective in seeder.collectives:
        memberships = Membership.objects.filter(collective=collective)
        active = memberships.filter(status=MS.ACTIVE).count()
        waiting = memberships.filter(status=MS.REQUESTED).count()
        products = Product.objects.published().for_collective(collective).count()
        lines.append(
            f"  « {collective.name} » : {active} boutiques membres / member shops, "
            f"{waiting} demande(s) en attente / pending request(s), {products} produits publiés "
            "/ published products."
        )
    site = settings.SITE_URL.rstrip("/")
    shopkeeper = demo.BOULANGERIE.owner.email
    lines += [
        "",
        f"Comptes de démonstration / demo log-ins — mot de passe / password: "
        f"« {demo.DEMO_PASSWORD} » (démo uniquement / demo only):",
        f"  administrateur de la plateforme / platform admin  {demo.PLATFORM_ADMIN.email}",
        f"  organisatrice / organiser                        {demo.ORGANISER.email}",
        f"  commerçant / shopkeeper                          {shopkeeper}",
        f"  habitante / customer                             {demo.CUSTOMER.email}",
        "  (chaque boutique / every shop: <métier>@villeneuve.demo, e.g. "
        f"{demo.FROMAGERIE.owner.email})",
        "",
        f"Site : {site}/    Administration : {site}/admin/",
    ]
    return "\n".join(lines)


# --- Illustrations ------------------------------------------------------------------------

# 800 px: the 800 rendition is then the photo itself and the 1600 one reuses it, which makes
# processing about three times faster than at 900 px (measured: 60 ms against 165 ms a photo).
PHOTO_SIZE = 800
TEXT_COLOUR = "#2b2622"
LEAF = "#5f8f3a"
# Fonts with French accents, found by file name in the usual system folders. Pillow's own
# default font (used when none is installed) has no accented letters: text is then folded to
# plain ASCII rather than drawn with empty boxes.
FONT_FILES = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "DejaVuSans.ttf", "Arial.ttf")
Colour = tuple[int, int, int]


@cache
def _font(size: int) -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, bool]:
    """(font, whether it has accented letters)."""
    for name in FONT_FILES:
        try:
            return ImageFont.truetype(name, size), True
        except OSError:
            continue
    return ImageFont.load_default(size=size), False


def _printable(text: str, accents: bool) -> str:
    if accents:
        return text
    for char, plain in (("œ", "oe"), ("Œ", "OE"), ("×", "x"), ("–", "-"), ("€", "EUR")):
        text = text.replace(char, plain)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _mix(a: Colour, b: Colour, t: float) -> Colour:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _rgb(value: str) -> Colour:
    r, g, b = ImageColor.getrgb(value)[:3]
    return r, g, b


def _wrap(text: str, font: Any, width: int) -> list[str]:
    # French quotes stay with the word they enclose: « Goutte », never « / Goutte ».
    text = text.replace("« ", "«\u00a0").replace(" »", "\u00a0»")
    lines: list[str] = []
    for word in text.split(" "):
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _centred_text(
    draw: ImageDraw.ImageDraw, text: str, *, top: int, bottom: int, sizes: tuple[int, ...]
) -> None:
    """Draw ``text`` centred between ``top`` and ``bottom``, at the largest size in ``sizes``
    that fits on three lines."""
    for size in sizes:
        font, accents = _font(size)
        lines = _wrap(_printable(text, accents), font, PHOTO_SIZE - 100)
        if len(lines) <= 3:
            break
    lines = lines[:3]
    step = round(size * 1.25)
    y = top + (bottom - top - step * len(lines)) // 2
    for line in lines:
        draw.text((PHOTO_SIZE // 2, y), line, font=font, fill=TEXT_COLOUR, anchor="ma")
        y += step


def draw_product_photo(title: str, shop: str, category: str, *, seed: str, detail: int) -> bytes:
    """A square JPEG: the category's colour, a simple drawing of the kind of thing, the title.

    ``detail`` 1 draws the same motif closer up, for a product's second photo.
    """
    background, ink, motif = demo.category_look(category)
    back, base = _rgb(background), _rgb(ink)
    # A small, stable shade per product so that a shop's products are not all identical.
    shade = (zlib.crc32(seed.encode()) % 100) / 100
    ink_rgb = _mix(base, (0, 0, 0), shade * 0.25) if shade < 0.5 else _mix(base, back, shade * 0.3)
    light, dark = _mix(ink_rgb, (255, 255, 255), 0.6), _mix(ink_rgb, (0, 0, 0), 0.35)
    size = PHOTO_SIZE

    def at(fraction: float) -> int:
        return round(fraction * size)

    image = Image.new("RGB", (size, size), back)
    draw = ImageDraw.Draw(image)
    if detail:
        draw_motif(draw, motif, at(0.5), at(0.44), at(0.37), ink_rgb, light, dark)
        draw.rectangle((0, at(0.845), size, size), fill=_mix(back, (255, 255, 255), 0.5))
        _centred_text(draw, title, top=at(0.855), bottom=at(0.99), sizes=(at(0.05), at(0.04)))
    else:
        draw_motif(draw, motif, at(0.5), at(0.355), at(0.22), ink_rgb, light, dark)
        _centred_text(
            draw, title, top=at(0.63), bottom=at(0.89), sizes=(at(0.064), at(0.055), at(0.046))
        )
        font, accents = _font(at(0.031))
        draw.text((at(0.5), at(0.92)), _printable(shop, accents), font=font, fill=dark, anchor="ma")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def draw_cover(name: str, city: str, category: str) -> bytes:
    """A 1600 × 600 banner for the shop page: a row of motifs, the shop's name and town."""
    background, ink, motif = demo.category_look(category)
    back, ink_rgb = _rgb(background), _rgb(ink)
    light, dark = _mix(ink_rgb, back, 0.55), _mix(ink_rgb, back, 0.25)
    image = Image.new("RGB", (1600, 600), back)
    draw = ImageDraw.Draw(image)
    for index, x in enumerate(range(100, 1600, 200)):
        draw_motif(draw, motif, x, 110 if index % 2 else 500, 60, light, back, dark)
    font, accents = _font(96)
    draw.text((800, 250), _printable(name, accents), font=font, fill=TEXT_COLOUR, anchor="mm")
    small, accents = _font(44)
    draw.text((800, 360), _printable(city, accents), font=small, fill=dark, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def draw_motif(
    draw: ImageDraw.ImageDraw,
    motif: str,
    cx: int,
    cy: int,
    r: int,
    ink: Colour,
    light: Colour,
    dark: Colour,
) -> None:
    """Draw ``motif`` centred on (cx, cy) within a square of half-side ``r``."""

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
        return (round(cx + x0 * r), round(cy + y0 * r), round(cx + x1 * r), round(cy + y1 * r))

    def pt(x: float, y: float) -> tuple[int, int]:
        return round(cx + x * r), round(cy + y * r)

    thick = max(3, round(r * 0.08))
    if motif == "loaf":
        draw.ellipse(box(-1, -0.6, 1, 0.6), fill=ink)
        for k in (-0.45, 0, 0.45):
            draw.line((pt(k - 0.15, -0.32), pt(k + 0.15, 0.32)), fill=light, width=thick)
    elif motif == "tart":
        draw.ellipse(box(-1, -1, 1, 1), fill=ink)
        draw.ellipse(box(-0.82, -0.82, 0.82, 0.82), fill=light)
        for k in range(8):
            x, y = 0.5 * _cos(k * 45), 0.5 * _sin(k * 45)
            draw.ellipse(box(x - 0.14, y - 0.14, x + 0.14, y + 0.14), fill=dark)
    elif motif == "wheel":
        draw.pieslice(box(-1, -1, 1, 1), start=25, end=335, fill=ink)
        for x, y, s in (
            (-0.4, -0.3, 0.13),
            (-0.1, 0.45, 0.1),
            (-0.55, 0.3, 0.08),
            (0.2, -0.55, 0.09),
        ):
            draw.ellipse(box(x - s, y - s, x + s, y + s), fill=light)
    elif motif == "slab":
        draw.rounded_rectangle(box(-1, -0.65, 1, 0.65), radius=round(r * 0.4), fill=ink)
        draw.rounded_rectangle(
            box(-0.85, -0.5, 0.85, 0.5), radius=round(r * 0.3), outline=light, width=thick
        )
        draw.ellipse(box(0.25, -0.25, 0.55, 0.05), fill=light)
    elif motif == "fruit":
        draw.ellipse(box(-0.85, -0.7, 0.85, 0.95), fill=ink)
        draw.line((pt(0, -0.65), pt(0.1, -0.98)), fill=dark, width=thick)
        draw.ellipse(box(0.12, -1.02, 0.6, -0.78), fill=LEAF)
        draw.ellipse(box(-0.55, -0.4, -0.3, -0.1), fill=light)
    elif motif == "jar":
        draw.rounded_rectangle(box(-0.6, -0.6, 0.6, 1), radius=round(r * 0.18), fill=ink)
        draw.rounded_rectangle(box(-0.66, -0.95, 0.66, -0.58), radius=round(r * 0.08), fill=dark)
        draw.rectangle(box(-0.45, -0.12, 0.45, 0.5), fill=light)
    elif motif == "bottle":
        draw.rounded_rectangle(box(-0.38, -0.2, 0.38, 1), radius=round(r * 0.14), fill=ink)
        draw.polygon(
            [pt(-0.38, -0.05), pt(-0.12, -0.55), pt(0.12, -0.55), pt(0.38, -0.05)], fill=ink
        )
        draw.rectangle(box(-0.12, -0.98, 0.12, -0.5), fill=ink)
        draw.rectangle(box(-0.14, -1, 0.14, -0.85), fill=dark)
        draw.rectangle(box(-0.3, 0.18, 0.3, 0.62), fill=light)
    elif motif == "bar":
        draw.rounded_rectangle(box(-1, -0.55, 1, 0.55), radius=round(r * 0.2), fill=ink)
        draw.rounded_rectangle(
            box(-0.82, -0.38, 0.82, 0.38), radius=round(r * 0.12), outline=light, width=thick
        )
        draw.rectangle(box(-0.35, -0.12, 0.35, 0.12), fill=light)
    elif motif == "sack":
        draw.polygon([pt(-0.7, -0.7), pt(0.7, -0.7), pt(0.82, 1), pt(-0.82, 1)], fill=ink)
        draw.rectangle(box(-0.72, -0.92, 0.72, -0.66), fill=dark)
        draw.ellipse(box(-0.3, -0.1, 0.3, 0.5), fill=light)
        draw.line((pt(0, -0.08), pt(0, 0.48)), fill=dark, width=thick // 2 + 1)
    elif motif == "ring":
        draw.ellipse(box(-0.8, -0.55, 0.8, 1), outline=ink, width=round(r * 0.2))
        draw.polygon(
            [pt(0, -1), pt(0.32, -0.7), pt(0, -0.38), pt(-0.32, -0.7)], fill=light, outline=dark
        )
    elif motif == "scarf":
        draw.polygon([pt(-1, -0.6), pt(1, -0.6), pt(0, 1)], fill=ink)
        for k in (-0.35, -0.1):
            draw.line((pt(-0.6 - k, k), pt(0.6 + k, k)), fill=light, width=thick)
    elif motif == "shirt":
        draw.polygon(
            [pt(-0.3, -1), pt(0.3, -1), pt(0.45, -0.3), pt(0.9, 1), pt(-0.9, 1), pt(-0.45, -0.3)],
            fill=ink,
        )
        draw.line((pt(-0.48, -0.2), pt(0.48, -0.2)), fill=light, width=thick)
    elif motif == "bowl":
        draw.chord(box(-1, -0.9, 1, 0.9), start=0, end=180, fill=ink)
        draw.ellipse(box(-1, -0.16, 1, 0.16), fill=light)
        draw.rectangle(box(-0.3, 0.86, 0.3, 1), fill=dark)
    elif motif == "vase":
        draw.ellipse(box(-0.65, -0.3, 0.65, 1), fill=ink)
        draw.rectangle(box(-0.22, -0.95, 0.22, -0.1), fill=ink)
        draw.ellipse(box(-0.32, -1.04, 0.32, -0.88), fill=dark)
        draw.arc(box(-0.5, -0.1, 0.5, 0.8), start=200, end=340, fill=light, width=thick)
    elif motif == "flower":
        draw.line((pt(0, -0.2), pt(0, 1)), fill=LEAF, width=thick)
        draw.ellipse(box(0, 0.35, 0.45, 0.6), fill=LEAF)
        for k in range(6):
            x, y = 0.42 * _cos(k * 60), -0.3 + 0.42 * _sin(k * 60)
            draw.ellipse(box(x - 0.3, y - 0.3, x + 0.3, y + 0.3), fill=ink)
        draw.ellipse(box(-0.22, -0.52, 0.22, -0.08), fill="#f2c94c")
    elif motif == "book":
        draw.rectangle(box(-0.7, -0.9, 0.7, 0.9), fill=ink)
        draw.rectangle(box(-0.7, -0.9, -0.5, 0.9), fill=dark)
        draw.rectangle(box(0.6, -0.82, 0.7, 0.82), fill=light)
        for y in (-0.45, -0.25):
            draw.line((pt(-0.3, y), pt(0.4, y)), fill=light, width=thick)
    elif motif == "boot":
        draw.polygon(
            [pt(-0.5, -1), pt(0.1, -1), pt(0.1, 0.3), pt(1, 0.5), pt(1, 1), pt(-0.5, 1)], fill=ink
        )
        draw.rectangle(box(-0.5, 0.86, 1, 1), fill=dark)
        for y in (-0.6, -0.35, -0.1):
            draw.line((pt(-0.05, y), pt(0.1, y)), fill=light, width=thick)
    elif motif == "cycle":
        draw.ellipse(box(-1, -1, 1, 1), outline=ink, width=round(r * 0.12))
        for k in range(12):
            draw.line((pt(0, 0), pt(0.9 * _cos(k * 30), 0.9 * _sin(k * 30))), fill=dark, width=3)
        draw.ellipse(box(-0.12, -0.12, 0.12, 0.12), fill=dark)
    else:  # "circle", and any motif this function does not know
        draw.ellipse(box(-1, -1, 1, 1), fill=ink)
        draw.ellipse(box(-0.55, -0.55, 0.55, 0.55), fill=light)


def _cos(degrees: float) -> float:
    return math.cos(math.radians(degrees))


def _sin(degrees: float) -> float:
    return math.sin(math.radians(degrees))
