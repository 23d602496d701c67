"""The demo portal page's broker and groups, signed as a real portal would sign them (docs/portal-context.md),
so the widget on /demo/ knows "my groups" without asking their region. A stand-in for the broker portal:
these are a made-up broker's groups, not Kaiser Permanente facts.

The token is signed only when the environment gives the portal's shared secret (PORTAL_TOKEN_SECRET and
PORTAL_TOKEN_ISSUER, the same the Rasa server verifies with; `make run` makes a random one per start,
never written down); /demo/?group=<id> opens that group on the page, so questions default to it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import jwt  # PyJWT, pinned in requirements.in

AUDIENCE = "kp-broker-assistant"
LIFETIME_SECONDS = 15 * 60  # a page's token; the widget's conversation keeps its context after that

BROKER = {"sub": "demo-broker-1001", "name": "Dana Reyes"}
GROUPS = (
    {
        "id": "bayview",
        "name": "Bayview Dental Partners",
        "hq_area": "northern_california",
        "locations": [{"area": "northern_california", "subscribers": 14}],
    },
    {
        "id": "rose-city",
        "name": "Rose City Print Co.",
        "hq_area": "oregon",
        "locations": [{"area": "oregon", "subscribers": 9}],
    },
    {
        "id": "harbor-pine",
        "name": "Harbor & Pine Logistics",
        "hq_area": "southern_california",
        "locations": [
            {"area": "southern_california", "subscribers": 27},
            {"area": "northern_california", "subscribers": 14},
        ],
    },
)


def demo_token(env: Mapping[str, str], open_group: str | None = None, now: float | None = None) -> str:
    """The demo broker's signed context, or "" when no portal secret is configured."""
    secret, issuer = env.get("PORTAL_TOKEN_SECRET"), env.get("PORTAL_TOKEN_ISSUER")
    if not secret or not issuer:
        return ""
    now = time.time() if now is None else now
    claims = {
        **BROKER,
        "iss": issuer,
        "aud": env.get("PORTAL_TOKEN_AUDIENCE") or AUDIENCE,
        "iat": int(now),
        "exp": int(now) + LIFETIME_SECONDS,
        "groups": list(GROUPS),
    }
    if open_group in {g["id"] for g in GROUPS}:
        claims["open_group"] = open_group
    return jwt.encode(claims, secret, algorithm="HS256")
