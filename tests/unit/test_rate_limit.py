"""The rate limiter itself (rasa_server/rate_limit.py), on a clock the test moves: per conversation, per
client address, and whose address a request is behind a trusted proxy."""

import pytest

from rasa_server.rate_limit import DEFAULTS, Rate, RateLimiter


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


def limiter(clock, sender="60/60", address="30/6", **options):
    return RateLimiter(Rate.parse(sender), Rate.parse(address), ["127.0.0.1", "::1"], clock=clock, **options)


def test_a_conversation_gets_60_messages_at_once_then_one_a_second(clock):
    limits = limiter(clock)
    assert [limits.check("conversation-1", None) for _ in range(60)] == [0] * 60
    assert limits.check("conversation-1", None) == pytest.approx(1)
    clock.now += 0.25
    assert limits.check("conversation-1", None) == pytest.approx(0.75)  # a refused message costs nothing
    clock.now += 0.75
    assert limits.check("conversation-1", None) == 0
    assert limits.check("conversation-1", None) == pytest.approx(1)
    assert limits.check("conversation-2", None) == 0  # another conversation is not held up


def test_one_address_gets_30_messages_at_once_then_5_a_second_whatever_the_conversations(clock):
    limits = limiter(clock)
    assert all(limits.check(f"flood-{n}", "203.0.113.7") == 0 for n in range(30))
    assert limits.check("flood-30", "203.0.113.7") == pytest.approx(0.2)
    assert limits.check("broker-1", "198.51.100.2") == 0  # another address is not held up
    clock.now += 1
    assert sum(limits.check(f"flood-{n}", "203.0.113.7") == 0 for n in range(31, 60)) == 5


def test_a_message_over_either_limit_is_refused_and_counted_against_neither(clock):
    limits = limiter(clock, sender="2/60", address="3/60")
    assert limits.check("a", "203.0.113.7") == limits.check("a", "203.0.113.7") == 0
    assert limits.check("a", "203.0.113.7") == pytest.approx(30)  # the conversation's limit
    assert limits.check("b", "203.0.113.7") == 0  # the address still had one left
    assert limits.check("c", "203.0.113.7") == pytest.approx(20)  # the address's limit


def test_a_limit_can_be_turned_off(clock):
    limits = RateLimiter(None, Rate.parse("off"), clock=clock)
    assert all(limits.check("conversation-1", "203.0.113.7") == 0 for _ in range(1000))


def test_the_client_address_is_the_peer_or_what_a_trusted_proxy_forwarded(clock):
    limits = limiter(clock)
    assert limits.client_address("198.51.100.2") == "198.51.100.2"
    # A client's own X-Forwarded-For is not believed: only a trusted proxy's.
    assert limits.client_address("198.51.100.2", "203.0.113.7") == "198.51.100.2"
    assert limits.client_address("127.0.0.1", "203.0.113.7") == "203.0.113.7"
    assert limits.client_address("127.0.0.1", "203.0.113.99, 203.0.113.7") == "203.0.113.7"
    assert limits.client_address("127.0.0.1", "203.0.113.7, 127.0.0.1") == "203.0.113.7"
    assert limits.client_address("::1", "2001:db8::7") == "2001:db8::7"
    # Another loopback address is not the trusted one: it is a client like any other.
    assert limits.client_address("127.0.0.2") == "127.0.0.2"
    # This machine itself, nothing forwarded: no address to limit (the conversation's limit still applies).
    assert limits.client_address("127.0.0.1") is None
    assert limits.client_address("127.0.0.1", "127.0.0.1") is None


def test_trusted_proxies_may_be_networks(clock):
    limits = RateLimiter(None, Rate(30, 6), ["10.0.0.0/8"], clock=clock)
    assert limits.client_address("10.1.2.3", "203.0.113.7") == "203.0.113.7"
    assert limits.client_address("127.0.0.1", "203.0.113.7") == "127.0.0.1"


def test_memory_stays_bounded_under_many_senders(clock):
    limits = limiter(clock, max_keys=1000)
    for n in range(5000):
        limits.check(f"sender-{n}", f"10.0.{n // 256 % 256}.{n % 256}")
    assert len(limits._buckets) == 1000


@pytest.mark.parametrize(
    "text, rate", [("20/60", Rate(20, 60)), ("30/6s", Rate(30, 6)), ("5/1", Rate(5, 1)), ("off", None), ("0", None)]
)
def test_rates_are_written_count_per_seconds(text, rate):
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["-1/60", "20/0", "many"])
def test_a_wrong_rate_is_refused(text):
    with pytest.raises(ValueError):
        Rate.parse(text)


def test_the_defaults_come_from_the_environment():
    limits = RateLimiter.from_env({"RATE_LIMIT_SENDER": "5/10"})
    assert limits.rates == {"sender": Rate(5, 10), "address": Rate.parse(DEFAULTS["RATE_LIMIT_ADDRESS"])}
    assert limits.client_address("127.0.0.1") is None


def test_the_desk_and_the_queue_have_limits_of_their_own_per_agent_and_per_address(clock):
    limits = RateLimiter.from_env({})
    limits.clock = clock
    assert [limits.take([("desk_say", "maria")]) for _ in range(20)] == [0] * 20
    assert limits.take([("desk_say", "maria")]) == pytest.approx(1)  # 20 at once, then one a second
    assert limits.take([("desk_say", "sam")]) == 0  # another agent is not held up
    assert limits.take([("desk_typing", "maria")]) == 0  # nor the same agent's typing notices
    assert all(limits.take([("desk_typing", "sam")]) == 0 for _ in range(20))
    assert limits.take([("desk_typing", "sam")]) == pytest.approx(0.5)  # 20 at once, then 2 a second
    assert all(limits.take([("handoff_address", "203.0.113.7")]) == 0 for _ in range(10))
    assert limits.take([("handoff_address", "203.0.113.7")]) == pytest.approx(60)  # then one a minute
    assert limits.check("conversation-1", "203.0.113.7") == 0  # the broker's messages are counted apart


def test_an_event_limit_can_be_set_or_turned_off_and_this_machine_has_no_address_limit(clock):
    limits = RateLimiter.from_env({"RATE_LIMIT_DESK_SAY": "2/10", "RATE_LIMIT_DESK_TYPING": "off"})
    limits.clock = clock
    assert [limits.take([("desk_say", "maria")]) for _ in range(3)] == [0, 0, pytest.approx(5)]
    assert all(limits.take([("desk_typing", "maria")]) == 0 for _ in range(1000))
    assert all(limits.take([("handoff_address", None)]) == 0 for _ in range(100))  # None: this machine
