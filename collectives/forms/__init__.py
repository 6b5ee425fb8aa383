"""The collectives app's forms, one module per concept (``memberships``, ``events``, ``live``,
``selections``); the membership forms are re-exported here."""

from collectives.forms.memberships import (
    CollectiveCreateForm,
    CollectiveEditForm,
    CollectiveInviteForm,
    JoinForm,
    JoinRequestForm,
    MessageForm,
    OrganiserAddForm,
)

__all__ = [
    "CollectiveCreateForm",
    "CollectiveEditForm",
    "CollectiveInviteForm",
    "JoinForm",
    "JoinRequestForm",
    "MessageForm",
    "OrganiserAddForm",
]
