"""Collective pages: ``public`` (home, a collective's page, its shared catalog) and
``organiser`` (the organisers' space)."""
