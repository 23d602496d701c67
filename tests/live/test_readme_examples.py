"""The README's shell examples work as a reader would run them: every ```bash block that calls the
assistant with curl (localhost:5005) is run with bash, against the live test assistant's port, and
must get an answer, so the examples cannot drift from what the servers accept again."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from tests.live.servers import texts
from tests.rasa_cli import ENV, ROOT

README = ROOT / "README.md"
RASA = "localhost:5005"
BASH_BLOCK = re.compile(r"^```bash\n(.*?)^```", re.MULTILINE | re.DOTALL)


def curl_examples() -> list[str]:
    return [
        block for block in BASH_BLOCK.findall(README.read_text(encoding="utf-8")) if "curl" in block and RASA in block
    ]


def test_the_readme_has_curl_examples_to_run():
    assert curl_examples(), f"no ```bash block in the README calls curl against {RASA}"


@pytest.mark.parametrize("example", curl_examples(), ids=lambda block: block.strip().splitlines()[0][:60])
def test_a_readme_example_gets_an_answer(example, assistant):
    script = example.replace(RASA, f"localhost:{assistant.rasa_port}")
    ran = subprocess.run(["bash", "-c", script], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, f"exit {ran.returncode}\n{ran.stderr}"
    replies = json.loads(ran.stdout)
    assert isinstance(replies, list) and replies, f"not the assistant's messages: {ran.stdout}"
    # An answer, not a refusal or a fallback: its text, and the structured payload of a sourced answer.
    assert texts(replies).strip(), ran.stdout
    payloads = [m["custom"] for m in replies if isinstance(m.get("custom"), dict)]
    assert any(p.get("type") == "answer" and p.get("sources") for p in payloads), ran.stdout
