"""Catalog pages: ``public`` (shop and product pages), ``products`` (a shop's listings in
« Mon commerce »), ``imports`` (CSV import and export)."""
