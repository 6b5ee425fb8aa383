"""Validators of French business identifiers."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# La Poste's establishments share the SIREN 356 000 000; their SIRETs do not follow Luhn but
# the sum of their digits is a multiple of 5 (INSEE rule).
_LA_POSTE_SIREN = "356000000"


def luhn_is_valid(digits: str) -> bool:
    """True when the digit string passes the Luhn checksum (ISO/IEC 7812-1)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def validate_siret(value: str) -> None:
    """A SIRET is 14 digits whose checksum holds (Luhn; La Poste's own rule for its sites)."""
    if not value:
        return
    if len(value) != 14 or not value.isdigit():
        raise ValidationError(_("A SIRET number has exactly 14 digits."), code="siret_format")
    if value.startswith(_LA_POSTE_SIREN):
        valid = sum(int(c) for c in value) % 5 == 0
    else:
        valid = luhn_is_valid(value)
    if not valid:
        raise ValidationError(
            _("This SIRET number is not valid: please check the digits."), code="siret_checksum"
        )
