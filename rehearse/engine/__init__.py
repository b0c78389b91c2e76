"""The rehearsal engine: pure logic, no UI imports (a test enforces it)."""
