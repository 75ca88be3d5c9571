"""Runtime guard: a pytest plugin that names tests which change shared state."""
