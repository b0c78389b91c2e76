"""Playing a script: the session state machine, understanding replies, the coach, the
debrief and hot reload. Pure functions over immutable values."""
