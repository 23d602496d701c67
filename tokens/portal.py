"""The portal's signed context: a short-lived JWT the broker portal signs, naming the broker and their
groups (docs/portal-context.md has the claim schema and signing examples). Only a token that verifies
with the configured key, algorithm, issuer and audience, and has not expired, is trusted; anything a
client sends beside it (metadata) is dropped by the channels.

Configuration (environment of the Rasa server):
  PORTAL_TOKEN_SECRET       the shared secret for HS256, or
  PORTAL_TOKEN_PUBLIC_KEY   a PEM public key (or the path of one) for RS256; one of the two, never both
  PORTAL_TOKEN_ISSUER       the `iss` the portal signs with (required)
  PORTAL_TOKEN_AUDIENCE     the `aud` (default kp-broker-assistant)
With neither key set, no portal token is accepted and conversations have no context.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt  # PyJWT, pinned in requirements.in (Rasa 3.6 depends on it too)

from broker_faq.portal import ClaimsError, PortalContext, context_from_claims

DEFAULT_AUDIENCE = "kp-broker-assistant"
MAX_TOKEN_CHARS = 8_000  # a portal token of 50 groups is ~6 KB; longer is no portal's token
MAX_LIFETIME_SECONDS = 3_600  # short-lived: a token valid for more than an hour is refused
LEEWAY_SECONDS = 30  # clock skew between the portal and this server


class PortalTokenError(ValueError):
    """The token is not a valid portal token; the message is safe to show (it names no secret)."""


@dataclass(frozen=True)
class PortalKey:
    algorithm: str  # "HS256" or "RS256": the one algorithm accepted, never taken from the token
    key: Any
    issuer: str
    audience: str

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PortalKey | None:
        env = os.environ if env is None else env
        secret, public = env.get("PORTAL_TOKEN_SECRET"), env.get("PORTAL_TOKEN_PUBLIC_KEY")
        if not secret and not public:
            return None
        if secret and public:
            raise ValueError("set PORTAL_TOKEN_SECRET (HS256) or PORTAL_TOKEN_PUBLIC_KEY (RS256), not both")
        issuer = env.get("PORTAL_TOKEN_ISSUER")
        if not issuer:
            raise ValueError("PORTAL_TOKEN_ISSUER is required with a portal key")
        audience = env.get("PORTAL_TOKEN_AUDIENCE") or DEFAULT_AUDIENCE
        if secret:
            if len(secret) < 32:
                raise ValueError("PORTAL_TOKEN_SECRET must be at least 32 characters")
            return cls("HS256", secret, issuer, audience)
        pem = Path(public).read_text() if public and not public.lstrip().startswith("-----") else public
        return cls("RS256", pem, issuer, audience)


def verified_context(token: Any, key: PortalKey, areas: Iterable[str]) -> PortalContext:
    """The context a portal token carries, or PortalTokenError saying plainly why it is refused."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        raise PortalTokenError("the portal token is missing or malformed")
    try:
        claims = jwt.decode(
            token,
            key.key,
            algorithms=[key.algorithm],
            audience=key.audience,
            issuer=key.issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise PortalTokenError("the portal token has expired") from None
    except jwt.InvalidAudienceError:
        raise PortalTokenError("the portal token is for another audience") from None
    except jwt.InvalidIssuerError:
        raise PortalTokenError("the portal token is from another issuer") from None
    except jwt.PyJWTError:
        raise PortalTokenError("the portal token's signature or claims are invalid") from None
    if claims["exp"] - claims["iat"] > MAX_LIFETIME_SECONDS:
        raise PortalTokenError("the portal token lives too long (at most an hour)")
    try:
        return context_from_claims(
            {
                "broker": {"id": claims["sub"], "name": claims.get("name")},
                "groups": claims.get("groups"),
                "open_group": claims.get("open_group"),
            },
            areas,
        )
    except ClaimsError as err:
        raise PortalTokenError(f"the portal token's groups are malformed ({err})") from None
