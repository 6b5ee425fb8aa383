"""Views of the insights app, one module per concept; import from the submodules."""
