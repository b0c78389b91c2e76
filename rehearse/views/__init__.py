"""What a person reads about a session, without a UI toolkit: one view-model for live and
stored sessions, plain-text debrief and replay, Markdown/HTML/JSON export, outcome words and
symbols, and text made safe to print."""
