"""Working around Textual's terminal input, which decodes strict UTF-8.

Textual's Linux drivers decode what the terminal sends with
``getincrementaldecoder("utf-8")()``, which raises on the first invalid byte and ends the
app (a Textual bug, reported in the closing note of issue 12). Their module attribute is
replaced by one whose decoders read such bytes as Latin-1 (``workspace.terminal``).
"""

from __future__ import annotations

import importlib

from rehearse.workspace.terminal import tolerant_decoder

_DRIVERS = ("textual.drivers.linux_driver", "textual.drivers.linux_inline_driver")


def tolerate_invalid_input() -> None:
    """Patch the drivers' decoder factory (idempotent; a driver Windows lacks is skipped)."""
    for name in _DRIVERS:
        try:
            module = importlib.import_module(name)
        except ImportError:  # pragma: no cover - not on this platform
            continue
        if hasattr(module, "getincrementaldecoder"):
            vars(module)["getincrementaldecoder"] = tolerant_decoder
