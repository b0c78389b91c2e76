"""rehearse: rehearse a hard conversation with your manager before having it for real."""

__version__ = "0.1.0"
