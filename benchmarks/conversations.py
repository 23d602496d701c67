"""The broker conversations the load client replays (benchmarks/load.py).

Each turn is (message, expected text or None). The expectation is a fragment a right answer must
contain; it is counted, never asserted, so the benchmark also shows whether a configuration that is
fast still gives the right region's contact (the stock pipeline has no region or date extractor).
"""

MIX = [
    [
        ("Hi", None),
        ("How do I help a small group terminate their contract?", None),
        ("what about Oregon?", "503-813-2630"),
        ("thanks", None),
    ],
    [
        ("HQ in Oakland with 20 subscribers in San Diego, do they need to split?", "may need to separate"),
        ("what happens to their EDI file after the split?", "renewal month"),
        ("will they get two bills?", "bill for each contract"),
    ],
    [
        ("The group terminated on 2026-08-01. What is the reinstatement deadline?", "September 30, 2026"),
        ("how long do they have to ask for reinstatement?", "60 days"),
        ("who handles billing questions in Oregon?", "866-868-7220"),
        ("what about Washington?", "Southwest Washington"),
    ],
    [
        ("my client wants to reinstate their group", "60 days"),
        ("terminated on 2026-08-01", "September 30, 2026"),
        ("ok thanks, bye", None),
    ],
    [
        ("Oregon member needs a replacement ID card", "800-813-2000"),
        ("can members get a digital ID card?", None),
        ("what about California?", "kp.org"),
    ],
    [
        ("who is responsible for turning off autopay when a group leaves?", None),
        ("California", "800-790-4661"),
        ("what about Washington?", "866-868-7220"),
    ],
    [
        ("does a group with offices in NorCal and SoCal have to split?", None),
        ("HQ is in Oakland", None),
        ("20", "may need to separate"),
    ],
    [
        ("what's the weather in Boston?", "outside what I can help with"),
        ("are you a bot?", "bot"),
        ("who do I call about new sales in Oregon?", "503-813-2630, option 2"),
        ("and for escalations?", "503-813-3613"),
    ],
]

# One broker's long session (benchmarks/load.py --mode growth): a 10-turn cycle repeated, so the
# first and the last ten turns send the same messages and differ only in the history behind them.
GROWTH_CYCLE = [turn for conversation in (MIX[0], MIX[1], MIX[2][:3]) for turn in conversation]
assert len(GROWTH_CYCLE) == 10
