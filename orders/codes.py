"""Pickup codes: short enough to say at the counter, unambiguous when read aloud or typed."""

import secrets

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: letters and digits nobody confuses on a phone screen.
ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
LENGTH = 6


def new_pickup_code() -> str:
    """A random code (25⁶ ≈ 244 million values); uniqueness within a shop is the database's
    job (``orders_reservation_code``): callers retry on the rare collision."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_pickup_code(text: str) -> str:
    """What a shopkeeper types or a scanner reads, as stored: upper case, no spaces or
    dashes, and the look-alikes mapped back (« 0 » → « Q » is not guessed: unknown letters
    simply do not match)."""
    return "".join(ch for ch in text.upper() if ch.isalnum())
