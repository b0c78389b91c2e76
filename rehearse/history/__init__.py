"""Sessions on disk: typed records and one codec, the SQLite store and its migrations,
replay and compare as typed values, and the recorder that saves a session as it happens.
No UI here; only ``store`` imports sqlite3."""
