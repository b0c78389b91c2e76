"""Subcommands of `rehearse` that live outside cli.py (registered there with add_command)."""
