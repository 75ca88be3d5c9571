"""The application's feature flags."""

ENABLED = frozenset({"search"})


def enabled(name: str) -> bool:
    return name in ENABLED
