"""Selectors of the notifications app, one module per concept; import from the submodules."""
