"""Script and persona files -> the checked model: loading with file:line:col, validation,
lints, the catalog of a search path, and graphs of a script."""
