"""Practice that sticks: the moments of a conversation worth drilling (``moments``), when to
drill them again (``schedule``, FSRS), and where every other reply would have led
(``explore``). Pure functions over the engine's own values; ``explore`` only folds ``step``."""
