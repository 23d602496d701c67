"""The portal's signed token (tokens/portal.py): only a token that verifies with the configured key,
algorithm, issuer and audience, and has not expired, gives a context; the signing examples for portal
integrators (docs/examples/) produce tokens it accepts."""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import shutil
import subprocess
import time

import jwt
import pytest

from tests.conftest import ROOT
from tests.unit.test_portal_context import AREAS
from tokens.portal import PortalKey, PortalTokenError, verified_context


def _example():
    """docs/examples/sign_portal_token.py, as an integrator would run it (docs/ is no package)."""
    spec = importlib.util.spec_from_file_location(
        "sign_portal_token", ROOT / "docs" / "examples" / "sign_portal_token.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


portal_token = _example().portal_token
SECRET = "s" * 40
ISSUER = "https://portal.example"
KEY = PortalKey("HS256", SECRET, ISSUER, "kp-broker-assistant")


def claims(**changes):
    now = int(time.time())
    base = {
        "iss": ISSUER,
        "aud": "kp-broker-assistant",
        "iat": now,
        "exp": now + 600,
        "sub": "broker-1",
        "name": "Dana Reyes",
        "groups": [
            {"id": "g1", "name": "Bayview Dental Partners", "hq_area": "northern_california",
             "locations": [{"area": "northern_california", "subscribers": 14}]},
        ],
    }  # fmt: skip
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


def test_the_signing_example_gives_a_token_the_assistant_accepts():
    context = verified_context(portal_token(SECRET, ISSUER, open_group="rose-city"), KEY, AREAS)
    assert context.broker_name == "Dana Reyes" and context.opened.name == "Rose City Print Co."
    assert [g.name for g in context.groups] == [
        "Bayview Dental Partners",
        "Rose City Print Co.",
        "Harbor & Pine Logistics",
    ]


@pytest.mark.skipif(shutil.which("node") is None, reason="Node is not installed")
def test_the_node_snippet_gives_a_token_the_assistant_accepts():
    env = {**os.environ, "PORTAL_TOKEN_SECRET": SECRET, "PORTAL_TOKEN_ISSUER": ISSUER}
    token = subprocess.run(
        ["node", "docs/examples/sign_portal_token.mjs"], capture_output=True, text=True, env=env, check=True
    ).stdout.strip()
    assert verified_context(token, KEY, AREAS).opened.name == "Bayview Dental Partners"


def _forged_none(payload: dict) -> str:
    part = lambda value: base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."


@pytest.mark.parametrize(
    "token, why",
    [
        (jwt.encode(claims(), "another-secret-" + "x" * 30, algorithm="HS256"), "signature or claims are invalid"),
        (jwt.encode(claims(exp=int(time.time()) - 120), SECRET, algorithm="HS256"), "has expired"),
        (jwt.encode(claims(aud="someone-else"), SECRET, algorithm="HS256"), "another audience"),
        (jwt.encode(claims(iss="https://evil.example"), SECRET, algorithm="HS256"), "another issuer"),
        (jwt.encode(claims(sub=None), SECRET, algorithm="HS256"), "signature or claims are invalid"),
        (jwt.encode(claims(exp=int(time.time()) + 7200), SECRET, algorithm="HS256"), "lives too long"),
        (jwt.encode(claims(groups="all of them"), SECRET, algorithm="HS256"), "groups are malformed"),
        (jwt.encode(claims(), SECRET, algorithm="HS512"), "signature or claims are invalid"),
        (_forged_none(claims()), "signature or claims are invalid"),
        ("not-a-token", "signature or claims are invalid"),
        ("", "missing or malformed"),
        (None, "missing or malformed"),
        ("x" * 9000, "missing or malformed"),
    ],
    # Named, not shown: a token holds the time it was made, and test ids must be the same in every process.
    ids=[
        "another key",
        "expired",
        "another audience",
        "another issuer",
        "no subject",
        "lives too long",
        "groups not a list",
        "HS512",
        "alg none",
        "not a token",
        "empty",
        "none",
        "9,000 characters",
    ],
)
def test_forged_expired_and_foreign_tokens_are_refused_with_a_plain_reason(token, why):
    with pytest.raises(PortalTokenError, match=why):
        verified_context(token, KEY, AREAS)


def test_rs256_takes_only_the_public_key_and_an_hs256_token_signed_with_it_is_refused():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    key = PortalKey.from_env({"PORTAL_TOKEN_PUBLIC_KEY": public, "PORTAL_TOKEN_ISSUER": ISSUER})
    assert key is not None and key.algorithm == "RS256"
    assert verified_context(jwt.encode(claims(), private, algorithm="RS256"), key, AREAS).broker_id == "broker-1"
    with pytest.raises(PortalTokenError):
        verified_context(jwt.encode(claims(), SECRET, algorithm="HS256"), key, AREAS)


@pytest.mark.parametrize(
    "env, problem",
    [
        ({}, None),
        ({"PORTAL_TOKEN_SECRET": SECRET}, "PORTAL_TOKEN_ISSUER is required"),
        ({"PORTAL_TOKEN_SECRET": "short", "PORTAL_TOKEN_ISSUER": ISSUER}, "at least 32 characters"),
        ({"PORTAL_TOKEN_SECRET": SECRET, "PORTAL_TOKEN_PUBLIC_KEY": "x", "PORTAL_TOKEN_ISSUER": ISSUER}, "not both"),
    ],
)
def test_the_key_configuration_is_checked_at_start(env, problem):
    if problem is None:
        assert PortalKey.from_env(env) is None  # no key: no portal token is accepted
    else:
        with pytest.raises(ValueError, match=problem):
            PortalKey.from_env(env)
