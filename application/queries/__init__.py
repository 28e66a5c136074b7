"""Read-side use cases: one module per resource, each needing the ``read`` permission."""
