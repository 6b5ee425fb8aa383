"""Selectors of the partners app, one module per concept; import from the submodules."""
