"""Every write of the collectives app, one module per concept; import from here.

- ``memberships``: collectives, organisers, shops' memberships (invitations of existing
  shops, join requests, leaving);
- ``invitations``: invitations by e-mail to people who may not have a shop yet.
"""

from collectives.services.memberships import (
    collective_create,
    collective_publish,
    membership_accept,
    membership_approve,
    membership_decline,
    membership_invite,
    membership_leave,
    membership_reject,
    membership_request,
    organiser_add,
)

__all__ = [
    "collective_create",
    "collective_publish",
    "membership_accept",
    "membership_approve",
    "membership_decline",
    "membership_invite",
    "membership_leave",
    "membership_reject",
    "membership_request",
    "organiser_add",
]

from collectives.services.invitations import (
    collective_invitation_accept,
    collective_invitation_withdraw,
    collective_invite,
)
from collectives.services.memberships import (
    collective_update,
    membership_reinstate,
    membership_suspend,
    organiser_add_by_email,
)

__all__ += [
    "collective_invitation_accept",
    "collective_invitation_withdraw",
    "collective_invite",
    "collective_update",
    "membership_reinstate",
    "membership_suspend",
    "organiser_add_by_email",
]
