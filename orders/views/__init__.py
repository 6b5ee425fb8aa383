"""Views of the orders app, one module per concept (``reservations``, ``group_buys``,
``account``); import from the submodules."""
