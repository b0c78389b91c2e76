"""For script writers: `check` over files and folders, test plans run through the real
engine, coverage, the JSON Schema of every file format, and the starter script."""
