"""The Textual app. Import `rehearse.ui.app` (build_app, run_app); everything else is loaded
lazily so the home screen draws before the engine is imported."""
