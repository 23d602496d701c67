"""Personal data brokers paste is masked with labelled placeholders; Kaiser contacts are not."""

import pytest

from broker_faq.pii import PiiMasker


@pytest.fixture(scope="module")
def masker(knowledge):
    return PiiMasker.for_knowledge(knowledge)


@pytest.mark.parametrize(
    "text, masked",
    [
        ("member SSN is 123-45-6789, please help", "member SSN is [SSN], please help"),
        ("ssn 123456789", "[SSN]"),
        ("MRN 12345678 needs a new card", "[MEMBER_ID] needs a new card"),
        ("member id: A1234567", "[MEMBER_ID]"),
        ("her DOB is 04/12/1980", "her [DATE_OF_BIRTH]"),
        ("date of birth: March 3, 1975", "[DATE_OF_BIRTH]"),
        ("email me at jane.doe@gmail.com", "email me at [EMAIL]"),
        ("call me at (503) 555-0123 or 503.555.0199", "call me at [PHONE] or [PHONE]"),
        ("policy 1234567890123", "policy [ID_NUMBER]"),
    ],
)
def test_personal_data_is_replaced_by_labels(masker, text, masked):
    assert masker.mask(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "I called 800-790-4661 option 3 and wrote to amt@kp.org",
        "EBS at 1-866-246-3613 and nw.kp.ebs@kp.org",
        "terminated on 2026-08-01, 20 subscribers in San Diego",
        "HQ in Oakland with 14 employees in Irvine",
        "what is a 5500 report",
        '/rate_unhelpful{"answer_id": "a5035550123f12345678901bcd"}',
    ],
)
def test_kaiser_contacts_and_ordinary_facts_stay(masker, text):
    assert masker.mask(text) == text
