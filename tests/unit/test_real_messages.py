"""Answers to messages as brokers and agents really write them, through the domain logic: contact
look-ups that lead with the detail asked for, follow-ups on a detail or a region, several questions
in one message, places with a role, the quoted misprint. Wrong numbers are worse than a question."""

import pytest

from tests.conftest import digits

AMS, CA_SERVICE = "80079046613", "80079046611"  # digits with the option
CSC_FAX, EBS_FAX, SBG = "18663115974", "5038133109", "5038132630"


def test_a_keyword_look_up_leads_with_the_detail_asked_for(chat):
    reply = chat.say("team_contact", "NW EBS fax")
    assert reply.text.startswith("Fax for the Employer and Broker Service (EBS): 503-813-3109.")
    assert "Source: Northwest Small Business: Helpful Contacts" in reply.text


def test_a_detail_the_source_does_not_list_is_said_to_be_missing(chat):
    reply = chat.say("team_contact", "member services fax")
    assert reply.text.startswith("My copy of the Northwest Small Business: Helpful Contacts doesn't list a fax")
    assert "1-800-813-2000" in reply.text


def test_csc_is_the_california_service_center_for_a_california_group(chat):
    reply = chat.say("team_contact", "CA CSC phone and option")
    assert "California Service Center: 800-790-4661" in reply.text and "option 1" in reply.text
    assert "866-868-7220" not in reply.text


def test_csc_with_no_region_is_the_consolidated_service_center(chat):
    reply = chat.say("team_contact", "CSC fax")
    assert "Fax for the Consolidated Service Center (CSC): 1-866-311-5974." in reply.text


@pytest.mark.parametrize(
    "follow_up, expected",
    [
        ("fax?", "Fax for the Consolidated Service Center (CSC): 1-866-311-5974"),
        ("and the e-mail?", "E-mail for the Consolidated Service Center (CSC): csc-den-roc-group@kp.org"),
        ("what hours?", "Hours for the Consolidated Service Center (CSC): Monday through Friday"),
        ("mailing address?", "P.O. Box 203012, Denver, CO 80220-9012"),
    ],
)
def test_a_detail_follow_up_is_about_the_last_answers_team(chat, follow_up, expected):
    chat.say("enrollment_changes", "who handles adding a dependent for an Oregon group?")
    reply = chat.say("team_contact", follow_up)
    assert expected in reply.text


def test_which_option_gives_that_teams_option_only(chat):
    chat.say("stop_autopay", "who does a San Jose client call about stopping autopay")
    reply = chat.say("team_contact", "which option?")
    assert reply.text.startswith("Phone option for the California Service Center: option 1 at 800-790-4661.")
    assert "option 3" not in reply.text


def test_the_whole_phone_tree_when_asked(chat):
    reply = chat.say("team_contact", "CA service center phone tree")
    assert (
        "800-790-4661: option 1: California Service Center, option 3: Small Business Account Management" in reply.text
    )


def test_same_for_another_region_after_a_named_team_gives_that_regions_contact(chat):
    chat.say("team_contact", "EBS phone")
    reply = chat.say("inform_region", "same for a California group")
    assert "doesn't list an equivalent" in reply.text and AMS in digits(reply.text)
    assert "5038133613" not in digits(reply.text)


def test_two_questions_in_one_message_are_both_answered_each_with_its_source(chat):
    reply = chat.say(
        "separation_timeline",
        "how long does a separation take and do accumulators transfer?",
        parts=("separation_timeline", "accumulators"),
    )
    assert "about 4 weeks" in reply.text and "30 days or more" in reply.text
    assert reply.text.count("Source:") == 2


def test_two_regions_in_one_message_get_each_regions_contact(chat):
    reply = chat.say(
        "terminate_contract",
        "CA term line and the NW acct mgmt line",
        parts=("terminate_contract", "account_management"),
    )
    assert AMS in digits(reply.text) and SBG + "3" in digits(reply.text)


def test_two_groups_in_two_regions_with_one_question_are_answered_per_region(chat):
    reply = chat.say(
        "stop_autopay", "my San Diego group and my Salem group both want to stop autopay: who does each call?"
    )
    assert CA_SERVICE in digits(reply.text) and "account.kp.org" in reply.text
    assert reply.payload["parts"][0]["region"] == "Southern California"


def test_an_uncovered_group_is_not_answered_with_a_compared_regions_rule(chat):
    reply = chat.say("reinstatement", "a Maui group — can they reinstate within 60 days like California groups?")
    assert "I only have" in reply.text and not any(d in digits(reply.text) for d in ("8007904661",))


@pytest.mark.parametrize(
    "place",
    [
        "Portland, Maine",
        "Springfield, IL",
        "Albany, NY",
        "Richmond, VA",
        "Glendale, AZ",
        "Vancouver, BC",
        "Washington DC",
    ],
)
def test_a_city_in_another_state_gets_no_number(chat, place):
    reply = chat.say("billing_questions", f"who handles billing for our {place} group?")
    assert "I only have" in reply.text and not any(ch.isdigit() for ch in reply.text.split("I only have")[1][:200])


def test_the_quoted_misprint_is_corrected_without_repeating_it(chat):
    reply = chat.say("terminate_contract", "my FAQ says 800-790-4611 for terminations, is that right?")
    assert "misprinted" in reply.text and "800-790-4661, option 3" in reply.text
    assert "4611" not in reply.text


def test_a_misprint_alone_gets_the_right_teams_card(chat):
    reply = chat.say("out_of_scope", "8007904611 opt 3 isn't connecting, wrong number?")
    assert "misprinted" in reply.text and "800-790-4661, option 3" in reply.text and "4611" not in reply.text


def test_the_termination_date_is_not_an_emails_sent_date(chat):
    reply = chat.say(
        "reinstatement",
        "Sent: November 12, 2026. Our group's coverage ended effective 10/31/2026. When is the last day to reinstate?",
    )
    assert "December 30, 2026" in reply.text


def test_two_dates_with_unclear_roles_get_a_question_back(chat):
    reply = chat.say("reinstatement", "we have 9/1/2026 and 10/1/2026 on file, what's the reinstatement deadline?")
    assert reply.text.startswith("Which of these is the group's termination date")
    assert [b.title for b in reply.buttons] == ["September 1, 2026", "October 1, 2026"]


def test_csc_for_another_region_is_that_regions_team_of_the_same_name(chat):
    chat.say("team_contact", "CSC phone")
    reply = chat.say("inform_region", "same for a Fresno group")
    assert reply.text.startswith("Phone for the California Service Center: 800-790-4661, option 1.")
    assert "For a group in Northern California, that is the California Service Center." in reply.text
    assert "8668687220" not in digits(reply.text)


def test_a_team_with_lines_for_several_purposes_shows_the_one_asked_about(chat):
    reply = chat.say("team_contact", "need the EBS email + SBG new sales line please")
    assert "E-mail for the Employer and Broker Service (EBS): nw.kp.ebs@kp.org." in reply.text
    assert "503-813-2630, option 2" in reply.text and "option 3" not in reply.text


def test_a_region_switch_after_a_detail_asks_that_detail_again_for_the_new_region(chat):
    chat.say("team_contact", "fax number for the Consolidated Service Center")
    reply = chat.say("inform_region", "what about in California?")
    assert "doesn't list a fax number for the California Service Center" in reply.text
    assert CSC_FAX not in digits(reply.text)


@pytest.mark.parametrize(
    "message, wanted, refused",
    [
        ("skip the phone, I just want the CSC e-mail", "csc-den-roc-group@kp.org", "1-866-868-7220"),
        ("Oregon group. I don't need the address, only the fax for the CSC", "1-866-311-5974", "P.O. Box 203012"),
        ("no fax, the EBS phone", "503-813-3613", "503-813-3109"),
        ("the EBS phone isn't needed, their e-mail please", "nw.kp.ebs@kp.org", "503-813-3613"),
    ],
)
def test_a_refused_detail_is_left_out_and_the_wanted_one_leads(chat, message, wanted, refused):
    reply = chat.say("team_contact", message)
    assert wanted in reply.text.split("\n")[0]
    assert refused not in reply.text
    assert refused not in str(reply.payload)


def test_a_refused_team_is_not_answered(chat):
    reply = chat.say("team_contact", "not the CSC - EBS")
    assert "503-813-3613" in reply.text and "1-866-868-7220" not in reply.text


def test_not_sure_of_a_detail_still_asks_for_it(chat):
    reply = chat.say("team_contact", "I'm not sure of the fax for EBS")
    assert reply.text.startswith("Fax for the Employer and Broker Service (EBS): 503-813-3109.")


@pytest.mark.parametrize(
    "message, wanted, refused",
    [
        ("EBS: the 503 number, not the toll-free one", "503-813-3613", "1-866-246-3613"),
        ("EBS toll-free only please, not the local 503 line", "1-866-246-3613", "503-813-3613"),
        (
            "small business group - not the new sales email, the account management one",
            "small.group.respond@kp.org",
            "nw.small.business@kp.org",
        ),
    ],
)
def test_one_of_a_teams_numbers_or_lines_is_chosen(chat, message, wanted, refused):
    reply = chat.say("team_contact", message)
    assert wanted in reply.text and refused not in reply.text


def test_not_the_phone_the_email_follows_up_on_the_last_team(chat):
    chat.say("account_management", "SBG contact for an existing Eugene group")
    reply = chat.say("team_contact", "not the phone, the email")
    assert reply.text.startswith("E-mail for the Small Business Group") and "503-813-2630" not in reply.text


@pytest.mark.parametrize(
    "message, link", [("ppo plus website?", "kp.org/ppoplus/nw"), ("NW dental url", "kp.org/dental/nw")]
)
def test_a_link_asked_for_leads_and_sets_the_only_region_that_has_it(chat, message, link):
    reply = chat.say("self_service", message)
    assert reply.text.split("\n")[0].endswith(link)


def test_a_detail_the_source_lacks_is_said_once_for_every_team(chat):
    reply = chat.say("team_contact", "fax for the California service center and account management support?")
    first = reply.text.split("\n")[0]
    assert first == (
        "My copy of the California Small Business Broker FAQ doesn't list a fax number for the California "
        "Service Center or the Small Business Account Management Support Team."
    )
    assert reply.text.count("doesn't list a fax number") == 1
