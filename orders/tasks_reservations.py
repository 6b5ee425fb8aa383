"""Background work on reservations: expiry, e-mails."""
