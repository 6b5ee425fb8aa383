"""« Mon commerce » pages of the merchants app: ``shop`` (creating a shop, its profile,
hours, closures, overview), ``staff`` (the team and its invitations), ``stories``."""
