"""somu (総務): the back office, visible and runnable."""

__version__ = "0.1.0"
