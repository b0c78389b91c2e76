"""Your name given to someone else in the conversation is caught before play."""

from __future__ import annotations

from rehearse.views.names import clash_warning, name_clashes


def test_a_variable_holding_the_user_s_first_name_clashes() -> None:
    variables = {"role": "product lead", "winner": "Alex", "manager_role": "hiring manager"}
    assert name_clashes("Alex", variables) == (("winner", "Alex"),)
    assert name_clashes("alex smith", variables) == (("winner", "Alex"),)
    assert name_clashes("Alexandra", variables) == ()
    assert name_clashes("Sam", variables) == ()
    assert name_clashes("you", {"peer": "you"}) == ()  # the stand-in when no name is given
    assert name_clashes("Lead", {"role": "a lead role that is long enough to be prose"}) == ()


def test_the_warning_names_both_and_the_way_out() -> None:
    warning = clash_warning("Alex", (("winner", "Alex"),))
    assert warning.startswith("Your name, Alex, is also the winner in this conversation (Alex)")
    assert "Change your name or the winner's." in warning
    assert clash_warning("Alex", ()) == ""
