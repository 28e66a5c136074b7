"""The ``stockroom`` command: one module per subcommand, dispatched by main.py."""
