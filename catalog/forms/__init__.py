"""Forms of a shop's catalog in « Mon commerce »: ``products``, ``imports``."""
