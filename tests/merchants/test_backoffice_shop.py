"""« Mon commerce » pages of a shop: getting started, overview, profile, hours and closures,
publishing, and who may open them."""

import datetime as dt
import io
import os
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import ExifTags, Image

from merchants import services, tasks
from merchants.models import Closure, Merchant, MerchantMember, OpeningHours
from merchants.services.shops import PENDING_IMAGE_FOLDER, RESERVED_SLUGS
from merchants.tasks import STALE_AFTER
from merchants.views.shop import closure_period
from tests.factories import (
    ClosureFactory,
    MerchantFactory,
    MerchantMemberFactory,
    OpeningHoursFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

REQUIRED_FR = "Ce champ est obligatoire."


@pytest.fixture(autouse=True)
def _french():
    """French is the site's default language; an earlier test may have left another one
    active in this thread (a request to /en/… does), which would change reverse() and the
    messages."""
    with translation.override("fr"):
        yield


def url(name, shop=None, **kwargs):
    if shop is not None:
        kwargs["merchant_slug"] = shop.slug
    return reverse(f"shop:{name}", kwargs=kwargs)


def week(**days):
    """POST data of the hours editor: ``week(d1=[("9:00", "12:30")], d3_closed=True)``."""
    data = {}
    for key, value in days.items():
        if key.endswith("_closed"):
            data[key] = "on" if value else ""
            continue
        for slot, (opens, closes) in enumerate(value):
            data[f"{key}_{slot}_opens"] = opens
            data[f"{key}_{slot}_closes"] = closes
    return data


def create_data(**overrides):
    data = {
        "name": "Boulangerie Martin",
        "trade": "bakery",
        "street": "12 rue des Cieutats",
        "postcode": "47300",
        "city": "Villeneuve-sur-Lot",
        "latitude": "44.408700",
        "longitude": "0.704400",
        **week(d1=[("08:00", "12:30"), ("15:00", "19:00")], d2=[("08:00", "19:00")]),
    }
    data.update(overrides)
    return data


def staff_of(shop):
    return MerchantMemberFactory(merchant=shop, role=MerchantMember.Role.STAFF).user


def jpeg_with_gps(size=(900, 600)) -> bytes:
    image = Image.new("RGB", size, "sienna")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "HALLE-TEST-PHONE"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (44.0, 24.0, 31.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def profile_data(shop, **overrides):
    data = {
        "name": shop.name,
        "trade": shop.trade,
        "short_description": shop.short_description,
        "story": shop.story,
        "street": shop.street,
        "postcode": shop.postcode,
        "city": shop.city,
        "latitude": "",
        "longitude": "",
        "phone": "",
        "email": "",
        "website": "",
        "social_links": "",
        "legal_name": "",
        "siret": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def run_shop_image_tasks(monkeypatch):
    """Queued picture tasks run at commit, as a worker would run them."""
    monkeypatch.setattr(
        tasks.process_shop_image, "delay", lambda *args: tasks.process_shop_image(*args)
    )


# --- Who may open the pages ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["dashboard", "profile", "hours", "staff"])
def test_anonymous_visitors_are_sent_to_log_in(client, owner, name):
    response = client.get(url(name, owner.shop))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_index_and_getting_started_need_an_account(client):
    for target in (url("index"), url("create")):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["dashboard", "profile", "hours", "staff"])
def test_a_member_of_another_shop_gets_404(client, owner, name):
    client.force_login(MerchantMemberFactory().user)
    assert client.get(url(name, owner.shop)).status_code == 404


def test_a_member_of_another_shop_cannot_touch_its_closures(client, owner):
    closure = ClosureFactory(merchant=owner.shop)
    client.force_login(MerchantMemberFactory().user)
    response = client.post(url("closure_remove", owner.shop, closure_id=closure.pk))
    assert response.status_code == 404
    # …nor reach a closure of another shop through their own shop's URL.
    intruder = MerchantMemberFactory().user
    client.force_login(intruder)
    own_shop = intruder.merchant_memberships.get().merchant
    response = client.post(url("closure_remove", own_shop, closure_id=closure.pk))
    assert response.status_code == 404
    assert Closure.objects.filter(pk=closure.pk).exists()


def test_index_leads_to_getting_started_the_shop_or_the_choice(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(url("index"))["Location"] == url("create")

    first = MerchantMemberFactory(user=user, merchant__name="Atelier Zoé").merchant
    assert client.get(url("index"))["Location"] == url("dashboard", first)

    second = MerchantMemberFactory(user=user, merchant__name="Boucherie Roux", role="staff")
    response = client.get(url("index"))
    assert response.status_code == 200
    assert url("dashboard", first).encode() in response.content
    assert url("dashboard", second.merchant).encode() in response.content


def test_a_person_with_two_shops_switches_between_them(client):
    user = UserFactory()
    first = MerchantMemberFactory(user=user, merchant__name="Atelier Zoé").merchant
    second = MerchantMemberFactory(user=user, merchant__name="Boucherie Roux").merchant
    client.force_login(user)
    page = client.get(url("dashboard", first)).content.decode()
    assert f'href="{url("dashboard", second)}"' in page
    response = client.get(url("dashboard", second))
    assert response.status_code == 200
    assert response.wsgi_request.merchant == second


# --- Getting started ----------------------------------------------------------------------


def test_getting_started_creates_a_draft_shop_owned_by_its_creator_with_its_hours(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(url("create")).status_code == 200

    response = client.post(url("create"), create_data())

    shop = Merchant.objects.get(name="Boulangerie Martin")
    assert response.status_code == 302
    assert response["Location"] == url("dashboard", shop)
    assert shop.status == Merchant.Status.DRAFT
    assert (shop.latitude, shop.longitude) == (Decimal("44.408700"), Decimal("0.704400"))
    assert MerchantMember.objects.get(merchant=shop).user == user
    assert MerchantMember.objects.get(merchant=shop).role == MerchantMember.Role.OWNER
    assert [(h.weekday, h.opens, h.closes) for h in shop.opening_hours.order_by("weekday")] == [
        (1, dt.time(8), dt.time(12, 30)),
        (1, dt.time(15), dt.time(19)),
        (2, dt.time(8), dt.time(19)),
    ]


def test_getting_started_refuses_missing_fields_in_french_and_writes_nothing(client):
    client.force_login(UserFactory())
    with translation.override("fr"):
        response = client.post(url("create"), create_data(name="", street="", postcode="4730"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["name"] == [REQUIRED_FR]
    assert form.errors["street"] == [REQUIRED_FR]
    assert "postcode" in form.errors
    assert REQUIRED_FR in response.content.decode()
    assert not Merchant.objects.exists()


def test_getting_started_needs_both_coordinates_or_neither(client):
    client.force_login(UserFactory())
    response = client.post(url("create"), create_data(longitude=""))
    assert "longitude" in response.context["form"].errors
    assert not Merchant.objects.exists()

    response = client.post(url("create"), create_data(latitude="", longitude=""))
    assert response.status_code == 302
    assert not Merchant.objects.get().has_location


def test_coordinates_typed_with_a_comma_or_many_decimals_are_accepted(client):
    client.force_login(UserFactory())
    client.post(url("create"), create_data(latitude="44,40871234", longitude="−1,5"))
    shop = Merchant.objects.get()
    assert (shop.latitude, shop.longitude) == (Decimal("44.408712"), Decimal("-1.500000"))


def test_getting_started_with_overlapping_hours_writes_nothing(client):
    client.force_login(UserFactory())
    data = create_data(**week(d1=[("09:00", "13:00"), ("12:00", "18:00")]))
    response = client.post(url("create"), data)
    assert response.status_code == 200
    assert response.context["hours_form"].errors["d1_1_closes"]
    assert not Merchant.objects.exists()
    assert not OpeningHours.objects.exists()


def test_getting_started_without_hours_is_allowed(client):
    client.force_login(UserFactory())
    data = {k: v for k, v in create_data().items() if not k.startswith("d")}
    assert client.post(url("create"), data).status_code == 302
    assert not Merchant.objects.get().opening_hours.exists()


@pytest.mark.parametrize("name", ["Nouvelle boutique", "Invitation"])
def test_a_shop_never_takes_a_slug_that_is_a_url_word(client, name):
    user = UserFactory()
    shop = services.merchant_create(actor=user, name=name)
    assert shop.slug not in RESERVED_SLUGS
    client.force_login(user)
    assert client.get(url("dashboard", shop)).status_code == 200


# --- Overview and publishing --------------------------------------------------------------


def test_overview_shows_the_draft_status_and_what_the_page_lacks(client):
    shop = MerchantFactory(status=Merchant.Status.DRAFT, street="", short_description="")
    owner = MerchantMemberFactory(merchant=shop).user
    client.force_login(owner)
    with translation.override("fr"):
        response = client.get(url("dashboard", shop))
    page = response.content.decode()
    assert "Brouillon" in page
    assert url("publish", shop) in page
    checklist = {item["key"]: item["done"] for item in response.context["checklist"]}
    assert checklist == {
        "address": False,
        "hours": False,
        "position": False,
        "logo": False,
        "description": False,
    }

    OpeningHoursFactory(merchant=shop)
    Merchant.objects.filter(pk=shop.pk).update(
        street="3 place Lafayette",
        latitude=Decimal("44.4"),
        longitude=Decimal("0.7"),
        short_description="Pain au levain.",
    )
    response = client.get(url("dashboard", shop))
    checklist = {item["key"]: item["done"] for item in response.context["checklist"]}
    assert checklist == {
        "address": True,
        "hours": True,
        "position": True,
        "logo": False,
        "description": True,
    }


def test_staff_see_the_overview_without_the_publish_button(client):
    shop = MerchantFactory(status=Merchant.Status.DRAFT)
    client.force_login(staff_of(shop))
    response = client.get(url("dashboard", shop))
    assert response.status_code == 200
    assert url("publish", shop) not in response.content.decode()


def test_the_owner_publishes_the_shop(client):
    shop = MerchantFactory(status=Merchant.Status.DRAFT)
    client.force_login(MerchantMemberFactory(merchant=shop).user)
    response = client.post(url("publish", shop))
    assert response["Location"] == url("dashboard", shop)
    shop.refresh_from_db()
    assert shop.status == Merchant.Status.ACTIVE


def test_staff_cannot_publish_the_shop(client):
    shop = MerchantFactory(status=Merchant.Status.DRAFT)
    client.force_login(staff_of(shop))
    assert client.post(url("publish", shop)).status_code == 403
    shop.refresh_from_db()
    assert shop.status == Merchant.Status.DRAFT


def test_publishing_is_a_post(client, owner):
    client.force_login(owner)
    assert client.get(url("publish", owner.shop)).status_code == 405


def test_a_suspended_shop_is_told_why_it_cannot_publish(client, owner):
    Merchant.objects.filter(pk=owner.shop.pk).update(status=Merchant.Status.SUSPENDED)
    client.force_login(owner)
    response = client.post(url("publish", owner.shop), follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert Merchant.objects.get(pk=owner.shop.pk).status == Merchant.Status.SUSPENDED


# --- Profile ------------------------------------------------------------------------------


def test_staff_edit_the_profile(client):
    shop = MerchantFactory()
    client.force_login(staff_of(shop))
    assert client.get(url("profile", shop)).status_code == 200
    data = profile_data(
        shop,
        name="Épicerie Lucie",
        story="Depuis 1998.",
        phone="05 53 40 00 00",
        email="bonjour@epicerie-lucie.fr",
        website="epicerie-lucie.fr",
        social_links="instagram.com/epicerielucie\n\nhttps://mastodon.social/@lucie\n",
        siret="732 829 320 00074",
        latitude="44,4087",
        longitude="0.7044",
    )
    response = client.post(url("profile", shop), data)
    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.name == "Épicerie Lucie"
    assert shop.website == "https://epicerie-lucie.fr"
    assert shop.social_links == [
        "https://instagram.com/epicerielucie",
        "https://mastodon.social/@lucie",
    ]
    assert shop.siret == "73282932000074"
    assert shop.latitude == Decimal("44.408700")


def test_an_invalid_social_link_is_refused_with_its_line_and_nothing_changes(client, owner):
    shop = owner.shop
    client.force_login(owner)
    with translation.override("fr"):
        response = client.post(
            url("profile", shop),
            profile_data(shop, name="Autre nom", social_links="instagram.com/a\nnot a link"),
        )
    assert response.status_code == 200
    errors = response.context["form"].errors["social_links"]
    assert "2" in errors[0]
    assert "Saisissez une URL valide." in errors[0]
    shop.refresh_from_db()
    assert shop.name != "Autre nom"
    # The header (the shop as it is saved) does not show the refused name.
    assert response.context["request"].merchant.name == shop.name


def test_an_invalid_siret_is_a_field_error(client, owner):
    client.force_login(owner)
    response = client.post(url("profile", owner.shop), profile_data(owner.shop, siret="123"))
    assert "siret" in response.context["form"].errors


def test_a_logo_is_cleaned_by_a_task_before_the_shop_uses_it(
    client, owner, run_shop_image_tasks, django_capture_on_commit_callbacks
):
    shop = owner.shop
    client.force_login(owner)
    upload = SimpleUploadedFile("logo.jpg", jpeg_with_gps(), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url("profile", shop), {**profile_data(shop), "logo": upload})
    assert response.status_code == 302
    shop.refresh_from_db()
    assert not shop.logo, "the raw upload is never the shop's logo"
    waiting = default_storage.listdir(PENDING_IMAGE_FOLDER)[1]
    assert len(waiting) == 1
    assert len(callbacks) == 1

    callbacks[0]()  # the worker runs

    shop.refresh_from_db()
    assert shop.logo.name.startswith("merchants/logos/")
    with default_storage.open(shop.logo.name) as stored:
        data = stored.read()
    assert b"HALLE-TEST-PHONE" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert image.width == 512
        assert not image.getexif()
    assert default_storage.listdir(PENDING_IMAGE_FOLDER)[1] == []


def test_a_logo_whose_task_was_lost_is_finished_by_the_sweep(
    client, owner, django_capture_on_commit_callbacks
):
    shop = owner.shop
    client.force_login(owner)
    upload = SimpleUploadedFile("logo.jpg", jpeg_with_gps(), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=False):  # the queued task is lost
        client.post(url("profile", shop), {**profile_data(shop), "logo": upload})
    [name] = default_storage.listdir(PENDING_IMAGE_FOLDER)[1]
    pending = f"{PENDING_IMAGE_FOLDER}/{name}"
    # Too recent to be called lost: the sweep leaves it to its task.
    assert services.waiting_shop_images(older_than=timezone.now() - STALE_AFTER) == []

    an_hour_ago = (timezone.now() - dt.timedelta(hours=1)).timestamp()
    os.utime(default_storage.path(pending), (an_hour_ago, an_hour_ago))
    waiting = services.waiting_shop_images(older_than=timezone.now() - STALE_AFTER)
    assert waiting == [(shop.pk, "logo", pending)]

    tasks.process_shop_image(*waiting[0])  # what the re-queued task runs
    shop.refresh_from_db()
    assert shop.logo.name.startswith("merchants/logos/")
    assert default_storage.listdir(PENDING_IMAGE_FOLDER)[1] == []


def test_a_new_cover_replaces_and_deletes_the_previous_one(
    client, owner, run_shop_image_tasks, django_capture_on_commit_callbacks
):
    shop = owner.shop
    client.force_login(owner)
    names = []
    for colour in ("red", "blue"):
        buffer = io.BytesIO()
        Image.new("RGB", (2000, 1000), colour).save(buffer, "PNG")
        upload = SimpleUploadedFile("cover.png", buffer.getvalue(), content_type="image/png")
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url("profile", shop), {**profile_data(shop), "cover_image": upload})
        shop.refresh_from_db()
        names.append(shop.cover_image.name)
    assert names[0] != names[1]
    assert not default_storage.exists(names[0])
    with default_storage.open(names[1]) as stored, Image.open(stored) as image:
        assert image.size == (1600, 800)


def test_a_file_that_is_not_a_photo_is_refused_at_once(client, owner):
    client.force_login(owner)
    upload = SimpleUploadedFile("logo.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(url("profile", owner.shop), {**profile_data(owner.shop), "logo": upload})
    assert response.status_code == 200
    assert response.context["form"].errors["logo"]
    assert not default_storage.exists(PENDING_IMAGE_FOLDER)


def test_the_logo_can_be_removed(client, owner, django_capture_on_commit_callbacks):
    shop = owner.shop
    default_storage.save("merchants/logos/old.jpg", io.BytesIO(jpeg_with_gps((40, 40))))
    Merchant.objects.filter(pk=shop.pk).update(logo="merchants/logos/old.jpg")
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("profile", shop), {**profile_data(shop), "remove_logo": "on"})
    shop.refresh_from_db()
    assert not shop.logo
    assert not default_storage.exists("merchants/logos/old.jpg")


def test_the_shop_image_task_refuses_files_outside_the_waiting_folder(owner):
    with pytest.raises(ValueError, match="waiting upload"):
        services.merchant_image_process(
            merchant_id=owner.shop.pk, field="logo", pending_name="merchants/logos/x.jpg"
        )


def test_the_shop_image_task_does_nothing_the_second_time(owner):
    name = default_storage.save(f"{PENDING_IMAGE_FOLDER}/abc", io.BytesIO(jpeg_with_gps()))
    first = services.merchant_image_process(
        merchant_id=owner.shop.pk, field="logo", pending_name=name
    )
    assert first is not None
    assert first.logo
    second = services.merchant_image_process(
        merchant_id=owner.shop.pk, field="logo", pending_name=name
    )
    assert second is None
    owner.shop.refresh_from_db()
    assert owner.shop.logo.name == first.logo.name


# --- Hours and closures -------------------------------------------------------------------


def test_the_hours_page_shows_the_current_hours(client, owner):
    OpeningHoursFactory(merchant=owner.shop, weekday=2, opens=dt.time(9), closes=dt.time(12))
    client.force_login(owner)
    response = client.get(url("hours", owner.shop))
    form = response.context["hours_form"]
    assert form["d2_0_opens"].value() == dt.time(9)
    assert form["d2_closed"].value() is False
    assert form["d0_closed"].value() is True
    assert 'value="09:00"' in response.content.decode()


def test_weekly_hours_are_replaced(client, owner):
    OpeningHoursFactory(merchant=owner.shop, weekday=2)
    client.force_login(owner)
    data = week(d0=[("9h30", "12 h"), ("14:00", "18:30")], d2_closed=True)
    response = client.post(url("hours", owner.shop), data)
    assert response["Location"] == url("hours", owner.shop)
    assert [(h.weekday, h.opens, h.closes) for h in owner.shop.opening_hours.order_by("opens")] == [
        (0, dt.time(9, 30), dt.time(12)),
        (0, dt.time(14), dt.time(18, 30)),
    ]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (week(d4=[("09:00", "13:00"), ("12:30", "18:00")]), "d4_1_closes"),
        (week(d4=[("18:00", "09:00")]), "d4_0_closes"),
        (week(d4=[("09:00", "")]), "d4_0_closes"),
        (week(d4=[("25:00", "26:00")]), "d4_0_opens"),
        (week(d4=[("09:00", "12:00")], d4_closed=True), "d4_closed"),
    ],
    ids=["overlap", "closes-before-opening", "half-range", "not-a-time", "closed-with-hours"],
)
def test_refused_hours_change_nothing(client, owner, data, field):
    OpeningHoursFactory(merchant=owner.shop, weekday=1, opens=dt.time(8), closes=dt.time(12))
    client.force_login(owner)
    response = client.post(url("hours", owner.shop), data)
    assert response.status_code == 200
    assert response.context["hours_form"].errors[field]
    assert list(owner.shop.opening_hours.values_list("weekday", "opens", "closes")) == [
        (1, dt.time(8), dt.time(12))
    ]


def test_a_closure_is_added_and_removed_without_javascript(client, owner):
    client.force_login(owner)
    start = timezone.localdate() + dt.timedelta(days=30)
    response = client.post(
        url("closure_add", owner.shop),
        {"starts_on": start, "ends_on": start + dt.timedelta(days=7), "reason": "Congés"},
    )
    assert response["Location"] == url("hours", owner.shop) + "#closures"
    closure = owner.shop.closures.get()
    assert (closure.starts_on, closure.reason) == (start, "Congés")
    page = client.get(url("hours", owner.shop)).content.decode()
    assert "Congés" in page

    response = client.post(url("closure_remove", owner.shop, closure_id=closure.pk))
    assert response.status_code == 302
    assert not owner.shop.closures.exists()


def test_closures_update_in_place_with_htmx(client, owner):
    client.force_login(owner)
    start = timezone.localdate() + dt.timedelta(days=3)
    response = client.post(
        url("closure_add", owner.shop),
        {"starts_on": start, "ends_on": start, "reason": "Inventaire"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.templates[0].name == "merchants/backoffice/_closures.html"
    page = response.content.decode()
    assert 'id="closures"' in page
    assert "Inventaire" in page
    closure = owner.shop.closures.get()

    response = client.post(
        url("closure_remove", owner.shop, closure_id=closure.pk), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Inventaire" not in response.content.decode().split('role="status"')[0]
    assert not owner.shop.closures.exists()


def test_a_closure_ending_before_it_starts_is_refused(client, owner):
    client.force_login(owner)
    start = timezone.localdate() + dt.timedelta(days=10)
    with translation.override("fr"):
        response = client.post(
            url("closure_add", owner.shop),
            {"starts_on": start, "ends_on": start - dt.timedelta(days=1), "reason": ""},
        )
    assert response.status_code == 200
    assert response.context["closure_form"].errors["ends_on"]
    assert not owner.shop.closures.exists()

    with translation.override("fr"):
        response = client.post(url("closure_add", owner.shop), {"starts_on": "", "ends_on": ""})
    assert response.context["closure_form"].errors["starts_on"] == [REQUIRED_FR]


def test_past_closures_are_not_listed(client, owner):
    today = timezone.localdate()
    ClosureFactory(
        merchant=owner.shop,
        starts_on=today - dt.timedelta(days=9),
        ends_on=today - dt.timedelta(days=2),
        reason="Passée",
    )
    ClosureFactory(merchant=owner.shop, reason="À venir")
    client.force_login(owner)
    page = client.get(url("hours", owner.shop)).content.decode()
    assert "À venir" in page
    assert "Passée" not in page


@pytest.mark.parametrize(
    ("starts", "ends", "expected"),
    [
        ((8, 12), (8, 19), "from 12 to 19 August"),
        ((7, 28), (8, 3), "from 28 July to 3 August"),
        ((8, 15), (8, 15), "on 15 August"),
    ],
)
def test_closure_periods_read_like_a_sentence(starts, ends, expected):
    year = timezone.localdate().year
    closure = Closure(starts_on=dt.date(year, *starts), ends_on=dt.date(year, *ends))
    with translation.override("en"):
        assert closure_period(closure) == expected
    with translation.override("fr"):
        assert "août" in closure_period(closure)


def test_a_closure_over_new_year_shows_both_years():
    year = timezone.localdate().year
    closure = Closure(starts_on=dt.date(year, 12, 28), ends_on=dt.date(year + 1, 1, 3))
    with translation.override("en"):
        assert closure_period(closure) == f"from 28 December {year} to 3 January {year + 1}"


def test_staff_keep_the_hours_and_closures_too(client):
    shop = MerchantFactory()
    client.force_login(staff_of(shop))
    response = client.post(url("hours", shop), week(d5=[("10:00", "18:00")]))
    assert response.status_code == 302
    assert shop.opening_hours.get().weekday == 5
    start = timezone.localdate() + dt.timedelta(days=1)
    client.post(url("closure_add", shop), {"starts_on": start, "ends_on": start})
    assert shop.closures.count() == 1


def test_the_public_list_of_social_links_names_the_networks():
    from django.template.loader import render_to_string

    shop = Merchant(
        social_links=["https://www.instagram.com/fournil", "https://mastodon.social/@fournil"]
    )
    html = render_to_string("merchants/_social_links.html", {"merchant": shop})
    assert '<a href="https://www.instagram.com/fournil" rel="me noopener">Instagram</a>' in html
    assert ">mastodon.social/@fournil</a>" in html
    assert render_to_string("merchants/_social_links.html", {"merchant": Merchant()}).strip() == ""


@pytest.mark.parametrize(
    ("next_url", "lands_on_next"),
    [("/rejoindre/un-jeton/", True), ("https://ailleurs.example/piege/", False)],
)
def test_creating_a_shop_returns_to_where_the_person_came_from_if_it_is_ours(
    client, next_url, lands_on_next
):
    client.force_login(UserFactory())
    response = client.post(reverse("shop:create") + f"?next={next_url}", create_data())
    assert response.status_code == 302
    shop = Merchant.objects.get()
    expected = next_url if lands_on_next else reverse("shop:dashboard", args=[shop.slug])
    assert response["Location"] == expected
