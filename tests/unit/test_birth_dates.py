"""A date of birth never feeds a computation (issue 15, finding 4): whatever the wording, the
reinstatement deadline is never worked out from when someone was born. Messages go through the domain
as the live assistant reads them: masked first (channels/guard.py), then understood."""

import pytest

BIRTH_DATES = [
    "Can the group get reinstatement? The owner was born 2nd of January 1980",
    "can they reinstate? 1/2/1980, which is when the owner of the small group was born",
    "can they reinstate? owner b. 1/2/1980",
    "can they reinstate? owner D.O.B. 01.02.1980",
    "reinstatement deadline? January 2, 1980 is the owner's birthday",
    "reinstatement? the owner (born on the 2nd of January, 1980) asked",
    "reinstatement? owner's date of birth: 1980/01/02",
]


@pytest.mark.parametrize("message", BIRTH_DATES)
def test_a_birth_date_is_never_taken_for_the_termination_date(chat, masker, message):
    reply = chat.say("reinstatement", masker.mask(message))
    assert reply.state.termination_date is None
    assert "window has passed" not in reply.text and "1980" not in reply.text
    assert "termination date" in reply.text  # asked for, or its rule given


@pytest.mark.parametrize("message", BIRTH_DATES)
def test_a_birth_date_given_when_the_termination_date_was_asked_is_not_taken_either(chat, masker, message):
    chat.say("reinstatement", "what's the reinstatement deadline for a California group?")
    reply = chat.say("inform_date", masker.mask(message))
    assert reply.state.termination_date is None and "1980" not in reply.text


@pytest.mark.parametrize(
    "message",
    [
        "the group terminated 10/31/2026 and the owner was born 1/2/1980, can they reinstate?",
        "coverage ended 2026-10-31, the owner's birthday is 1/2/1980: reinstatement deadline?",
        "reinstatement? owner born 1/2/1980; the group terminated October 31, 2026",
    ],
)
def test_beside_a_birth_date_the_termination_date_is_the_one_used(chat, masker, message):
    reply = chat.say("reinstatement", masker.mask(message))
    assert reply.state.termination_date == "2026-10-31", reply.text
    assert "December 30, 2026" in reply.text
