"""Every change the project makes to how Rasa 3.6 serves, in one place, applied by one call:
`apply()`, which the channel guard makes when Rasa builds the channels at server start-up
(channels/guard.py, `guarded`), for every model served with credentials.yml.

- Rasa waits up to 5 minutes for the action server, a broker does not: after ACTION_TIMEOUT_SECONDS
  (10) the channel guard's fallback reply goes out instead of silence (channels/guard.py).
- Rasa checks every action server response against its response schema with the one-shot
  `jsonschema.validate()`, which first re-checks the (constant) schema against the JSON Schema
  meta-schema: a fifth of the Rasa server's time per message under 16 concurrent conversations
  (pyinstrument, `make bench`). Here the schema is checked once and its validator reused; every
  response is still validated, with Rasa's own error message.
- Once the model is loaded, the objects it left (hundreds of MB of them) are moved out of the
  garbage collector's view (`gc.freeze`). Otherwise every full collection walked them all: a pause
  of 250-290 ms for every conversation in flight, several times a minute under load.
"""

from __future__ import annotations

import gc
import os
from typing import Any

from jsonschema import validators
from jsonschema.exceptions import best_match
from rasa.core.actions import action
from rasa.shared.constants import DOCS_BASE_URL

_RESPONSE_SCHEMA = action.RemoteAction.action_response_format_spec()
_VALIDATOR_CLASS = validators.validator_for(_RESPONSE_SCHEMA)
_VALIDATOR_CLASS.check_schema(_RESPONSE_SCHEMA)
_RESPONSE_VALIDATOR = _VALIDATOR_CLASS(_RESPONSE_SCHEMA)


def validate_action_result(_remote_action: action.RemoteAction, result: dict[str, Any]) -> bool:
    """What RemoteAction._validate_action_result does (jsonschema.validate, then Rasa's message
    added to the error), with the validator built once."""
    error = best_match(_RESPONSE_VALIDATOR.iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your "
            "response from the Action endpoint is valid. For more information about "
            f"the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def apply() -> None:
    """Apply the changes above (idempotent). The garbage-collection freeze is a server listener,
    registered by the REST channel (channels/rest.py)."""
    action.DEFAULT_REQUEST_TIMEOUT = float(os.environ.get("ACTION_TIMEOUT_SECONDS", "10"))
    action.RemoteAction._validate_action_result = validate_action_result


async def freeze_loaded_objects(*_: Any) -> None:
    """An after_server_start listener of the REST channel: by then Rasa has loaded the model
    (before_server_start)."""
    gc.collect()
    gc.freeze()
