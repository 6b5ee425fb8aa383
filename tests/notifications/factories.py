"""Factories of the notifications app."""

import factory
from factory.django import DjangoModelFactory

from notifications.models import Notification, Preference
from tests.factories import UserFactory


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = "follow.new_product"
    context = factory.LazyAttribute(
        lambda n: {"merchant_name": "Fromagerie Dupuy", "title": "Tomme de brebis"}
    )
    link = "/boutiques/fromagerie-dupuy/"
    summary = factory.Sequence(lambda n: f"Nouveau chez Fromagerie Dupuy : produit {n}")
    email_status = Notification.EmailStatus.PENDING


class PreferenceFactory(DjangoModelFactory):
    class Meta:
        model = Preference

    user = factory.SubFactory(UserFactory)
    kind = "follow.new_product"
    mode = Preference.Mode.OFF
