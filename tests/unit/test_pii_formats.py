"""The formats the masker let through into the tracker store (and so into transcripts, the queue preview
and the widget's storage), hardening issue item 5: SSNs glued to their label or with `_`, `/` or a space
between every digit, card numbers with double spaces, slashes or glued to a word, e-mails with spaces
around '@' or a full-width '＠', 7-digit phone numbers, Medicare numbers (MBI), street addresses and
birth dates without a cue word. Each is masked; Kaiser Permanente's own numbers and address, counts,
and termination, effective and renewal dates stay readable."""

from __future__ import annotations

import asyncio
import datetime
import json
import re
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered

from broker_faq.privacy import PiiMasker, luhn_valid
from stores.masking_sql import MaskingSQLTrackerStore
from tests.conftest import ROOT
from tests.properties import examples

THIS_YEAR = datetime.date.today().year


@pytest.fixture(scope="module")
def masker_2026(knowledge, vocabulary):
    """The masker as it reads years in 2026: a birth year is 1926 to 2010."""
    return PiiMasker.for_knowledge(knowledge, vocabulary, this_year=2026)


# --- 1. SSNs after a cue: glued to it, or with '_', '/' or a space between every digit -----------------
@pytest.mark.parametrize(
    "text, masked",
    [
        ("SSN123-45-6789", "SSN[SSN]"),
        ("ssn:123_45_6789 thanks", "ssn:[SSN] thanks"),
        ("ssn 123_45_6789", "ssn [SSN]"),
        ("SSN 123/45/6789", "SSN [SSN]"),
        ("ssn 1 2 3 4 5 6 7 8 9", "ssn [SSN]"),
        ("her ssn is 1-2-3-4-5-6-7-8-9.", "her ssn is [SSN]."),
        ("social security 123_45_6789", "social security [SSN]"),
        ("social security number: 123 / 45 / 6789", "social security number: [SSN]"),
        ("soc sec 123_45_6789", "soc sec [SSN]"),
        ("Soc. Sec. # 123/45/6789", "Soc. Sec. # [SSN]"),
        ("SS# 123_45_6789", "SS# [SSN]"),
        ("SS#123456789", "SS#[SSN]"),
        ("ssn\u00a01\u00a02\u00a03\u00a04\u00a05\u00a06\u00a07\u00a08\u00a09", "ssn\u00a0[SSN]"),
    ],
)
def test_ssns_glued_to_their_cue_or_with_any_separator_after_it_are_masked(masker, text, masked):
    assert masker.mask(text) == masked


SSN_CUES = ["SSN", "ssn ", "SSN: ", "ssn#", "ssn is ", "social security ", "Social Security number: ", "soc sec ",
            "Soc. Sec. # ", "SS#", "SS# ", "ss #"]  # fmt: skip


@settings(max_examples=examples(300))
@given(
    cue=st.sampled_from(SSN_CUES),
    digits=st.text("0123456789", min_size=9, max_size=9),
    between=st.sampled_from(["_", "/", " ", "-", ".", " / ", "\u00a0", " _ "]),
    every_digit=st.booleans(),
    after=st.sampled_from(["", ".", ", thanks", " - can you check?"]),
)
def test_ssns_after_any_cue_with_any_separator_are_masked(masker, cue, digits, between, every_digit, after):
    groups = list(digits) if every_digit else [digits[:3], digits[3:5], digits[5:]]
    masked = masker.mask(f"please help, {cue}{between.join(groups)}{after}")
    assert masked == f"please help, {cue}[SSN]{after}", masked


@pytest.mark.parametrize(
    "text", ["ref 123_45_6789", "file 123/45/6789", "scores 1 2 3 4 5 6 7 8 9", "the ssn field, 20 subscribers"]
)
def test_without_a_cue_those_separators_are_no_ssn(masker, text):
    assert masker.mask(text) == text


# --- 2. Card numbers (Luhn-valid) with double spaces, slashes, or glued to a word ---------------------
@pytest.mark.parametrize(
    "text, masked",
    [
        ("card 4111  1111  1111  1111", "card [CARD_NUMBER]"),
        ("card 4111/1111/1111/1111", "card [CARD_NUMBER]"),
        ("card 4111 / 1111 / 1111 / 1111 exp 12/29", "card [CARD_NUMBER] exp 12/29"),
        ("card4111111111111111", "card[CARD_NUMBER]"),
        ("visa4111 1111 1111 1111, thanks", "visa[CARD_NUMBER], thanks"),
        ("amex 3782  822463  10005", "amex [CARD_NUMBER]"),
        ("card 4111 - 1111  1111 -1111", "card [CARD_NUMBER]"),
    ],
)
def test_card_numbers_with_double_spaces_slashes_or_glued_to_a_word_are_masked(masker, text, masked):
    assert masker.mask(text) == masked


def with_check_digit(body: str) -> str:
    return body + next(d for d in "0123456789" if luhn_valid(body + d))


@settings(max_examples=examples(200))
@given(
    body=st.text("0123456789", min_size=14, max_size=14),
    gap=st.sampled_from(["  ", "/", " / ", "   ", "- ", "\u00a0\u00a0"]),
    word=st.sampled_from(["card ", "visa ", "card", "visa", "cc#", "number: "]),
)
def test_luhn_valid_cards_with_wide_gaps_or_glued_to_a_word_are_masked(masker, body, gap, word):
    digits = with_check_digit("4" + body)
    written = gap.join(digits[i : i + 4] for i in range(0, 16, 4)) if word[-1:] == " " else digits
    masked = masker.mask(f"pay with {word}{written}, thanks")
    assert masked == f"pay with {word}[CARD_NUMBER], thanks", (written, masked)


@pytest.mark.parametrize(
    "text",
    [
        "card 4111  1111  1111  1112",  # no card (Luhn fails)
        "renewals 2026-10-01 2027-10-01",  # dates, not one number
        "terminated 9/30/2026  renewed 10/1/2026  11/1/2026",
        "open enrollment years 2025 2026 2027 2028",
        '/rate_unhelpful{"answer_id": "a5035550123f12345678901bcd"}',
    ],
)
def test_other_long_numbers_and_dates_in_a_row_stay(masker, text):
    assert masker.mask(text) == text


# --- 3. E-mails with spaces around '@' or a full-width '＠' (and full-width text) ---------------------
@pytest.mark.parametrize(
    "text, masked",
    [
        ("write to jane @ gmail.com", "write to [EMAIL]"),
        ("write to jane@ gmail.com", "write to [EMAIL]"),
        ("write to jane @gmail.com please", "write to [EMAIL] please"),
        ("write to jane.doe\u00a0@\u00a0acmebrokers.com", "write to [EMAIL]"),
        ("write to jane\uff20gmail.com", "write to [EMAIL]"),  # full-width commercial at
        ("write to jane\ufe6bgmail.com", "write to [EMAIL]"),  # small commercial at
        (
            "write to \uff4a\uff41\uff4e\uff45\uff20\uff47\uff4d\uff41\uff49\uff4c\uff0e\uff43\uff4f\uff4d",
            "write to [EMAIL]",
        ),
    ],
)
def test_emails_with_spaces_around_the_at_or_a_full_width_at_are_masked(masker, text, masked):
    assert masker.mask(text) == masked


@pytest.mark.parametrize(
    "text, kept",
    [
        ("I wrote to amt @ kp.org", "I wrote to amt @ kp.org"),
        ("I wrote to amt\uff20kp.org", "I wrote to amt@kp.org"),  # Kaiser's: kept (in ASCII)
        ("meet @ noon, 20 subscribers @ 5.5%", "meet @ noon, 20 subscribers @ 5.5%"),
    ],
)
def test_kaiser_emails_and_other_at_signs_stay(masker, text, kept):
    assert masker.mask(text) == kept


def test_full_width_digits_and_letters_are_read_as_ascii(masker):
    assert masker.mask("SSN \uff11\uff12\uff13\uff3f\uff14\uff15\uff3f\uff16\uff17\uff18\uff19") == "SSN [SSN]"
    assert masker.mask("the group terminated 9/30/2026 \u2026 DOB") == "the group terminated 9/30/2026 \u2026 DOB"


# --- 4. 7-digit phone numbers, but not Kaiser's, dates or counts -------------------------------------
@pytest.mark.parametrize(
    "text, masked",
    [
        ("my desk is 555-0147", "my desk is [PHONE]"),
        ("call me on 555 0147.", "call me on [PHONE]."),
        ("call 555\u20130147 after 5", "call [PHONE] after 5"),
        ("her cell: 555 - 0147, thanks", "her cell: [PHONE], thanks"),
        ("(desk 867-5309)", "(desk [PHONE])"),
    ],
)
def test_seven_digit_phone_numbers_are_masked(masker, text, masked):
    assert masker.mask(text) == masked


def kaiser_lines(knowledge) -> list[str]:
    teams = knowledge.teams.values()
    numbers = [p["number"] for t in teams for p in t.get("phones", [])] + [t["fax"] for t in teams if t.get("fax")]
    numbers += [str(n) for t in teams for n in t.get("misprinted_numbers", [])]
    digits = sorted({re.sub(r"\D", "", n)[-7:] for n in numbers})
    return [f"{d[:3]}-{d[3:]}" for d in digits] + [f"{d[:3]} {d[3:]}" for d in digits]


def test_kaiser_numbers_and_their_last_seven_digits_stay(masker, knowledge):
    lines = kaiser_lines(knowledge)
    assert "790-4661" in lines and "813-3613" in lines and "790-4611" in lines
    for line in lines:
        text = f"I called {line} and nobody answered"
        assert masker.mask(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "groups of 250-1000 employees",
        "between 300-2500 subscribers",
        "from 500 1000 people",
        "a group with 250 2000 eligible",
        "Kaiser 2026 rates for 140 subscribers",
        "terminated 2026-0315 per the letter",
        "renewal 2027 1231",
        "Denver, CO 80220-9012",
        "ZIP 97232 1234",
        "$250-1000 a month",
        "8:30-1700 Pacific",
        "the 5500 report for 2026",
    ],
)
def test_counts_ranges_dates_and_zip_codes_are_no_phone(masker, text):
    assert masker.mask(text) == text


# --- 5. Medicare Beneficiary Identifiers ------------------------------------------------------------
@pytest.mark.parametrize(
    "text, masked",
    [
        ("MBI 1EG4-TE5-MK73", "MBI [MEDICARE_ID]"),
        ("medicare number 1EG4TE5MK73, thanks", "medicare number [MEDICARE_ID], thanks"),
        ("his Medicare card says 1eg4-te5-mk73", "his Medicare card says [MEDICARE_ID]"),
        ("5A09 C22 DE17", "[MEDICARE_ID]"),
        ("9XX9-XX9-XX99", "[MEDICARE_ID]"),
    ],
)
def test_medicare_beneficiary_identifiers_are_masked(masker, text, masked):
    assert masker.mask(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "0EG4-TE5-MK73",  # the first character is 1-9
        "1SG4-TE5-MK73",  # no S, L, O, I, B or Z
        "1EG4-TE5-MK7",  # ten characters
        "1EG4-TE5-MK734",  # twelve
        "form 1EG4 TE5",
    ],
)
def test_what_is_no_mbi_stays(masker, text):
    assert masker.mask(text) == text


@pytest.mark.parametrize("letter", "SLOIBZ")
@pytest.mark.parametrize("position", [1, 4, 7, 8])  # the letters' places (0-based, without dashes)
def test_an_mbi_with_a_letter_it_never_has_stays(masker, letter, position):
    mbi = list("1EG4TE5MK73")
    mbi[position] = letter
    text = f"MBI {''.join(mbi)}"
    assert masker.mask(text) == text


# --- 6. Street addresses without a cue word, but not Kaiser's -------------------------------------
@pytest.mark.parametrize(
    "text, masked",
    [
        ("123 Main St", "[ADDRESS]"),
        ("4500 SW Macadam Ave Suite 200", "[ADDRESS]"),
        ("send it to 77 Sunset Blvd, Apt 4B in LA", "send it to [ADDRESS] in LA"),
        ("she lives at 1200 NE 122nd Ave.", "she lives at [ADDRESS]."),
        ("10 Downing Street", "[ADDRESS]"),
        ("9 Elm Ln, Portland", "[ADDRESS], Portland"),
        ("1 Harbor Way #300", "[ADDRESS]"),
        ("55 MARKET ST", "[ADDRESS]"),
        ("3 Old Mill Rd", "[ADDRESS]"),
        ("42 Martin Luther King Jr Blvd", "[ADDRESS]"),
        ("mail it to P.O. Box 4567, Portland", "mail it to [ADDRESS], Portland"),
        ("PO Box 12", "[ADDRESS]"),
    ],
)
def test_street_addresses_and_po_boxes_are_masked(masker, text, masked):
    assert masker.mask(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "Kaiser Permanente Membership Administration, P.O. Box 203012, Denver, CO 80220-9012",
        "send it to PO Box 203012",
        "20 subscribers in San Diego",
        "we have 20 people on the way",
        "3 patients saw dr smith",
        "140 employees on Main St",  # a count, then a street
        "Kaiser 2026 rates for 140 subscribers",
        "is a 5500 report due",
        "One Kaiser Plaza, Oakland",
    ],
)
def test_kaiser_address_and_counts_are_no_address(masker, text):
    assert masker.mask(text) == text


# --- 7. Birth dates without a cue word: only a plausible adult's birth year, never a termination date --
@pytest.mark.parametrize(
    "text, masked",
    [
        ("can they reinstate? 1/2/1980", "can they reinstate? [DATE_OF_BIRTH]"),
        ("owner Jane Doe, 03/04/1975, asked", "owner Jane Doe, [DATE_OF_BIRTH], asked"),
        ("Jane (1975-03-04) asked", "Jane ([DATE_OF_BIRTH]) asked"),
        ("Jane, March 3, 1975", "Jane, [DATE_OF_BIRTH]"),
        ("Jane 2 January 2010", "Jane [DATE_OF_BIRTH]"),
        ("Jane 12.31.1926", "Jane [DATE_OF_BIRTH]"),
    ],
)
def test_full_dates_of_a_plausible_birth_year_are_masked(masker_2026, text, masked):
    assert masker_2026.mask(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "Jane 1/2/2011",  # too young to be an owner or subscriber
        "Jane 1/2/1925",  # over 100
        "Jane 1/2/80",  # a two-digit year: not sure enough
        "terminated 3/15/2009",
        "the group was effective 1/1/2005",
        "renewal date 7/1/2008",
        "hired 3/4/1999",
        "coverage ended 1/31/2010, can we reinstate?",
        "1/1/2001 is when the group became effective",
        "Jane 13/13/1980",  # no date
    ],
)
def test_other_full_dates_stay(masker_2026, text):
    assert masker_2026.mask(text) == text


TERMINATION_CUES = ["terminated ", "terminated on ", "termination date ", "term date: ", "termed ", "cancelled ",
                    "coverage ended ", "last day of coverage was ", "effective ", "effective date ", "renews ",
                    "renewal on ", "", "reinstatement? ", "the group ended "]  # fmt: skip


def termination_dates() -> list[str]:
    dates = []
    for year in range(2025, 2029):
        for month, day in [(1, 1), (3, 15), (6, 30), (10, 31), (12, 31)]:
            name = datetime.date(year, month, day).strftime("%B")
            dates += [f"{month}/{day}/{year}", f"{month:02d}/{day:02d}/{year}", f"{year}-{month:02d}-{day:02d}",
                      f"{month}.{day}.{year}", f"{name} {day}, {year}", f"{day} {name} {year}"]  # fmt: skip
    return dates


@pytest.fixture(scope="module")
def maskers_by_year(knowledge, vocabulary):
    """The masker as it reads years in each year 2025-2028 and this one, built once for every cue."""
    years = (2025, 2026, 2027, 2028, THIS_YEAR)
    return {year: PiiMasker.for_knowledge(knowledge, vocabulary, this_year=year) for year in years}


@pytest.mark.parametrize("cue", TERMINATION_CUES)
def test_termination_effective_and_renewal_dates_in_2025_to_2028_are_never_masked(maskers_by_year, cue):
    for this_year, masker in maskers_by_year.items():
        for date in termination_dates():
            text = f"the group {cue}{date}, can they reinstate?"
            assert masker.mask(text) == text, (this_year, text)


def test_a_bare_birth_date_is_not_taken_for_the_termination_date(chat, masker):
    reply = chat.say("reinstatement", masker.mask("can a California group reinstate? Owner Jane Doe 1/2/1980"))
    assert reply.state.termination_date is None and "1980" not in reply.text


def test_beside_a_bare_birth_date_the_termination_date_is_used(chat, masker):
    message = "California group terminated 10/31/2026, owner Jane Doe 1/2/1980: reinstatement deadline?"
    assert masker.mask(message) == (
        "California group terminated 10/31/2026, owner Jane Doe [DATE_OF_BIRTH]: reinstatement deadline?"
    )
    reply = chat.say("reinstatement", masker.mask(message))
    assert reply.state.termination_date == "2026-10-31", reply.text


# --- what reaches the tracker store ----------------------------------------------------------------
PASTED = {
    "SSN123-45-6789": "123-45-6789",
    "ssn 123_45_6789": "123_45_6789",
    "ssn 1 2 3 4 5 6 7 8 9": "1 2 3 4 5 6 7 8 9",
    "card4111111111111111": "4111111111111111",
    "card 4111  1111  1111  1111": "4111  1111",
    "jane @ gmail.com": "jane",
    "jane\uff20gmail.com": "jane",
    "my desk is 555-0147": "555-0147",
    "MBI 1EG4-TE5-MK73": "1EG4",
    "4500 SW Macadam Ave Suite 200": "Macadam",
    "owner Jane Doe 1/2/1980": "1980",
}


def test_none_of_these_formats_reaches_the_tracker_store(tmp_path):
    store = MaskingSQLTrackerStore(
        domain=Domain.load(str(ROOT / "domain.yml")), dialect="sqlite", db=str(tmp_path / "tracker.db")
    )
    tracker = asyncio.run(store.get_or_create_tracker("formats-1"))
    tracker.update(ActionExecuted("action_listen"))
    for pasted in PASTED:
        tracker.update(UserUttered(pasted, {"name": "greet", "confidence": 1.0}, metadata={"note": pasted}))
    asyncio.run(store.save(tracker))
    with sqlite3.connect(store.engine.url.database) as db:
        written = json.dumps([row[0] for row in db.execute("SELECT data FROM events")], ensure_ascii=False)
    for pasted, secret in PASTED.items():
        assert secret not in written, pasted
