import datetime as dt
import pytest
from django.urls import reverse
from django.utils import timezone
from tests.browser.test_organiser_invites_a_shop import log_in
from tests.factories import *
from collectives.services.events import event_create
from collectives.services.registrations import registration_create
from collectives.models import EventParticipation

pytestmark = pytest.mark.django_db(transaction=True)

def test_screens(page, live_server):
    collective = CollectiveFactory(name="Cœur de Bastide")
    org = OrganiserFactory(collective=collective, role="organiser")
    day = timezone.localdate() + dt.timedelta(days=7)
    sat = day + dt.timedelta(days=(5 - day.weekday()) % 7)
    from collectives.recurrence import paris
    start = dt.datetime.combine(sat, dt.time(8), tzinfo=paris())
    ev = event_create(actor=org.user, collective=collective, title="Marché du samedi", starts_at=start, ends_at=start+dt.timedelta(hours=5), recurrence="FREQ=WEEKLY;BYDAY=SA;UNTIL=20271231", place_name="Place Lafayette", registration_open=True, capacity=2)
    from collectives.services.events import event_publish
    event_publish(actor=org.user, event=ev)
    occ = ev.occurrences.order_by("starts_at").first()
    for i in range(3):
        registration_create(actor=UserFactory(), occurrence=occ)
    EventFactory(collective=collective, title="Atelier vannerie", capacity=8)
    EventFactory(collective=collective, title="Brouillon", status="draft", published_at=None)
    shop = MembershipFactory(collective=collective, merchant__name="Fromagerie").merchant
    MembershipFactory(collective=collective, merchant__name="Boulangerie")
    ProductFactory(merchant=shop, title="Tomme")
    owner = MerchantMemberFactory(merchant=shop, role="owner").user
    EventParticipation.objects.create(event=ev, merchant=shop)
    log_in(page, live_server, org.user)
    for name, path in [
        ("list", reverse("organiser_events:list", args=[collective.slug])),
        ("create", reverse("organiser_events:create", args=[collective.slug])),
        ("edit", reverse("organiser_events:edit", args=[collective.slug, ev.slug])),
        ("dates", reverse("organiser_events:dates", args=[collective.slug, ev.slug])),
        ("regs", reverse("organiser_events:registrations", args=[collective.slug, ev.slug, occ.pk])),
        ("parts", reverse("organiser_events:participants", args=[collective.slug, ev.slug])),
        ("featured", reverse("organiser_events:featured", args=[collective.slug, ev.slug])),
        ("cancel", reverse("organiser_events:cancel", args=[collective.slug, ev.slug])),
    ]:
        page.goto(live_server.url + "/en" + path)
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
        print(name, wide)
        page.screenshot(path=f"/tmp/shot-{name}.png", full_page=True)
    log_in(page, live_server, owner)
    page.goto(live_server.url + "/en" + reverse("shop_events:list", args=[shop.slug]))
    page.screenshot(path="/tmp/shot-shop.png", full_page=True)
