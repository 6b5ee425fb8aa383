"""Every write of the collectives app, one module per concept; import from here.

- ``memberships``: collectives, organisers, shops' memberships (invitations of existing
  shops, join requests, leaving);
- ``invitations``: invitations by e-mail to people who may not have a shop yet;
- ``events``: events, their dates (recurrence, exceptions), participating shops, featured
  products; ``registrations``: seats and the waiting list; ``notices``: e-mails to registrants;
- ``live``: live sale sessions' line-ups; ``selections``: curated product lists and proposals;
- ``follows``: customers following shops and collectives.
"""

from collectives.services.events import (
    event_cancel,
    event_create,
    event_occurrences_extend,
    event_participation_answer,
    event_participation_invite,
    event_participation_remove,
    event_publish,
    event_set_featured_products,
    event_unpublish,
    event_update,
    occurrence_cancel,
    occurrence_move,
    occurrence_restore,
)
from collectives.services.follows import (
    follow_collective,
    follow_shop,
    unfollow_collective,
    unfollow_shop,
)
from collectives.services.invitations import (
    collective_invitation_accept,
    collective_invitation_withdraw,
    collective_invite,
)
from collectives.services.live import (
    lineup_add,
    lineup_clear_highlight,
    lineup_highlight,
    lineup_move,
    lineup_remove,
)
from collectives.services.memberships import (
    collective_create,
    collective_publish,
    collective_update,
    membership_accept,
    membership_approve,
    membership_decline,
    membership_invite,
    membership_leave,
    membership_reinstate,
    membership_reject,
    membership_request,
    membership_suspend,
    organiser_add,
    organiser_add_by_email,
)
from collectives.services.registrations import (
    registration_cancel,
    registration_create,
)
from collectives.services.selections import (
    selection_add_product,
    selection_create,
    selection_move_item,
    selection_proposal_accept,
    selection_proposal_decline,
    selection_proposal_withdraw,
    selection_propose,
    selection_publish,
    selection_remove_item,
    selection_unpublish,
    selection_update,
)

__all__ = [
    "collective_create",
    "collective_invitation_accept",
    "collective_invitation_withdraw",
    "collective_invite",
    "collective_publish",
    "collective_update",
    "event_cancel",
    "event_create",
    "event_occurrences_extend",
    "event_participation_answer",
    "event_participation_invite",
    "event_participation_remove",
    "event_publish",
    "event_set_featured_products",
    "event_unpublish",
    "event_update",
    "follow_collective",
    "follow_shop",
    "lineup_add",
    "lineup_clear_highlight",
    "lineup_highlight",
    "lineup_move",
    "lineup_remove",
    "membership_accept",
    "membership_approve",
    "membership_decline",
    "membership_invite",
    "membership_leave",
    "membership_reinstate",
    "membership_reject",
    "membership_request",
    "membership_suspend",
    "occurrence_cancel",
    "occurrence_move",
    "occurrence_restore",
    "organiser_add",
    "organiser_add_by_email",
    "registration_cancel",
    "registration_create",
    "selection_add_product",
    "selection_create",
    "selection_move_item",
    "selection_proposal_accept",
    "selection_proposal_decline",
    "selection_proposal_withdraw",
    "selection_propose",
    "selection_publish",
    "selection_remove_item",
    "selection_unpublish",
    "selection_update",
    "unfollow_collective",
    "unfollow_shop",
]
