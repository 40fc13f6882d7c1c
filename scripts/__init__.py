"""Project helper scripts (bootstrap, README generation)."""
