"""Widgets of the rehearse app."""
