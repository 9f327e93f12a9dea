"""Feed contracts (specs) and their adapters."""
