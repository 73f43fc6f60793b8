"""Cramp Journal: a local-first diary of night-time leg cramps in pregnancy."""

__version__ = "0.1.0"
