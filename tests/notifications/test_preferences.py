"""The preferences page: per kind, straight away / daily digest / never by e-mail;
transactional kinds shown locked and never changed (notifications.views.preferences,
notifications.services.preferences)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from notifications.forms.preferences import field_name
from notifications.kinds import KINDS
from notifications.models import Preference
from notifications.services.preferences import preferences_save
from tests.factories import CollectiveFactory, MerchantMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/en/notifications/preferences/"


def name(kind: str) -> str:
    return field_name(KINDS[kind])


def test_the_page_needs_a_log_in(client):
    answer = client.get(reverse("notifications:preferences"))
    assert answer.status_code == 302
    assert "/compte/" in answer["Location"]


def test_a_customer_sees_the_customer_kinds_with_transactional_ones_locked(client):
    person = UserFactory()
    client.force_login(person)
    page = client.get(URL)
    assert page.status_code == 200
    form = page.context["form"]
    assert form.fields[name("follow.new_product")].initial == "digest"
    assert form.fields[name("event.reminder")].initial == "immediate"
    assert form.fields[name("reservation.ready")].disabled
    assert name("reservation.created") not in form.fields  # a shop's kind
    assert b'data-kind="reservation.ready" data-locked="true"' in page.content


def test_a_shops_team_member_also_sees_the_shop_kinds(client):
    member = MerchantMemberFactory().user
    client.force_login(member)
    form = client.get(URL).context["form"]
    assert name("reservation.created") in form.fields
    assert name("import.finished") in form.fields


def test_saving_choices(client):
    person = UserFactory()
    client.force_login(person)
    form = client.get(URL).context["form"]
    data = {key: field.initial for key, field in form.fields.items() if key != "all_off"}
    data[name("follow.new_product")] = "immediate"
    data[name("event.reminder")] = "off"
    data[name("reservation.ready")] = "off"  # tampered: the field is locked
    answer = client.post(URL, data)
    assert answer.status_code == 302
    modes = dict(Preference.objects.filter(user=person).values_list("kind", "mode"))
    assert modes["follow.new_product"] == "immediate"
    assert modes["event.reminder"] == "off"
    assert "reservation.ready" not in modes
    client.post(URL, {**data, "all_off": "on"})
    assert Preference.objects.get(user=person, kind="all").mode == "off"
    client.post(URL, data)
    assert not Preference.objects.filter(user=person, kind="all").exists()


def test_a_transactional_kind_cannot_be_turned_off_by_the_service():
    with pytest.raises(ValidationError) as caught:
        preferences_save(actor=UserFactory(), modes={"reservation.ready": "off"})
    assert caught.value.error_dict["reservation.ready"][0].code == "transactional"
    with pytest.raises(ValidationError):
        preferences_save(actor=UserFactory(), modes={"follow.new_product": "sometimes"})


def test_a_stopped_newsletter_can_be_received_again(client):
    person = UserFactory()
    collective = CollectiveFactory(name="Les Halles de Villeneuve")
    Preference.objects.create(user=person, kind=f"newsletter:{collective.pk}", mode="off")
    client.force_login(person)
    page = client.get(URL)
    assert "Les Halles de Villeneuve" in page.content.decode()
    client.post(URL, {"resubscribe": f"newsletter:{collective.pk}"})
    assert not Preference.objects.filter(user=person).exists()
