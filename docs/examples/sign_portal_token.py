"""Sign a portal context token for the assistant (docs/portal-context.md): the portal's side.

    PORTAL_TOKEN_SECRET=... PORTAL_TOKEN_ISSUER=https://portal.example python docs/examples/sign_portal_token.py

prints a token for the demo broker and their three groups. tests/unit/test_portal_token.py runs this
file's `portal_token` and checks that the assistant's verifier accepts what it signs.
"""

from __future__ import annotations

import os
import time

import jwt  # PyJWT

AUDIENCE = "kp-broker-assistant"
LIFETIME_SECONDS = 15 * 60  # short-lived; the assistant refuses tokens living more than an hour


def portal_token(secret: str, issuer: str, open_group: str | None = None, now: float | None = None) -> str:
    now = time.time() if now is None else now
    claims = {
        "iss": issuer,
        "aud": AUDIENCE,
        "iat": int(now),
        "exp": int(now) + LIFETIME_SECONDS,
        "sub": "broker-1001",
        "name": "Dana Reyes",
        "groups": [
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
        ],
    }
    if open_group:
        claims["open_group"] = open_group
    return jwt.encode(claims, secret, algorithm="HS256")


if __name__ == "__main__":
    print(portal_token(os.environ["PORTAL_TOKEN_SECRET"], os.environ["PORTAL_TOKEN_ISSUER"]))
