"""A number the broker asks to have confirmed: the yes only for the answer's own number (and option), the
no with whose number it is, and never the quoted number taken for a count."""

import pytest

from broker_faq.reading.premises import QuotedNumber, quoted_numbers_in


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("Terminations for CA groups: 800-790-4661, option 3 - correct?", (QuotedNumber("8007904661", "3"),)),
        ("The Consolidated Service Center number is 866-868-7220, right?", (QuotedNumber("8668687220", None),)),
        ("is it 1 (503) 813-2630 press 2?", (QuotedNumber("5038132630", "2"),)),
        ("I was told the EBS fax is 503.813.3109", (QuotedNumber("5038133109", None),)),
        # a number that is part of the case, not offered for confirmation
        ("the owner called 503-813-2630 yesterday and got no answer", ()),
        ("HQ in Oakland with 14 subscribers in LA, right?", ()),
    ],
)
def test_the_numbers_a_message_offers_for_confirmation(text, quoted):
    assert quoted_numbers_in(text) == quoted


def test_the_right_number_and_option_for_the_topic_gets_a_yes(chat):
    reply = chat.say("terminate_contract", "Terminations for CA groups: 800-790-4661, option 3 - correct?")
    assert reply.text.startswith("Yes: 800-790-4661, option 3, is the Small Business Account Management Support")


def test_the_right_number_with_the_wrong_option_gets_a_no_with_the_right_option(chat):
    reply = chat.say("terminate_contract", "to terminate a California group I call 800-790-4661 option 1, right?")
    assert reply.text.startswith("No: it is 800-790-4661, option 3") and "not option 1" in reply.text


def test_a_named_teams_number_gets_a_yes(chat):
    reply = chat.say("team_contact", "The Consolidated Service Center number is 866-868-7220, right?")
    assert reply.text.startswith("Yes: 1-866-868-7220 is the Consolidated Service Center (CSC) line.")


def test_another_teams_number_gets_a_no_naming_that_team(chat):
    reply = chat.say("team_contact", "the CSC number is 503-813-3613, correct?")
    assert reply.text.startswith("No: that is the Employer and Broker Service (EBS) line")
    assert "1-866-868-7220" in reply.text


def test_another_regions_number_says_whose_it_is(chat):
    reply = chat.say("stop_autopay", "for a Portland group's autopay it's 800-790-4661 option 1, right?")
    assert "No: that is the California Service Center line for California." in reply.text and not reply.text.startswith(
        "Yes"
    )


def test_a_number_the_sources_lack_gets_a_no_and_the_right_contact(chat):
    reply = chat.say("team_contact", "EBS phone is 503-555-0100, isn't it?")
    assert reply.text.startswith("No: that number is not one in my sources.") and "503-813-3613" in reply.text
    assert "555-0100" not in reply.text.replace("503-555-0100", "")  # not repeated as a contact


def test_a_quoted_fax_is_checked_as_a_fax(chat):
    reply = chat.say("team_contact", "EBS fax is 503-813-3109, right?")
    assert reply.text.startswith("Yes: 503-813-3109 is the Employer and Broker Service (EBS) fax.")


def test_the_misprint_keeps_its_own_correction(chat):
    reply = chat.say("terminate_contract", "CA terminations are 800-790-4611, right?")
    assert "misprinted" in reply.text and "4611" not in reply.text and not reply.text.startswith("No: that number")


def test_beside_another_teams_card_the_number_is_said_to_be_whose_not_confirmed(chat):
    reply = chat.say("team_contact", "the EBS fax is the same as the CSC fax, 866-311-5974?")
    assert reply.text.startswith(
        "1-866-311-5974 is the Consolidated Service Center (CSC) fax, not the Employer and Broker Service (EBS) fax."
    )
    assert "503-813-3109" in reply.text
