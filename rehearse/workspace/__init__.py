"""The user's machine: where things live (paths), settings and remembered choices, and the
library of scripts and personas on the search path."""
