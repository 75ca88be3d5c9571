"""sessionlint: find the causes of order-dependent pytest failures."""

__version__ = "0.1.0"
