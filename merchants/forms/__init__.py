"""Forms of « Mon commerce », one module per area (``shop``, ``staff``, ``stories``)."""
