"""Background work on group buys: closing at the deadline, e-mails."""
