"""Checklist documents read from a JSON file (or ``-`` for stdin) by ``evaluate`` and
``checklist create``: every way a file can be wrong becomes one sentence naming the file."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from vpchecklist.errors import ValidationError


def _read_json_file(name: str) -> Any:
    path = Path(name)
    try:
        text = sys.stdin.read() if name == "-" else path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ValidationError(None, f"The file {name} does not exist.") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(None, f"The file {name} cannot be read as UTF-8 text.") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            None,
            f"The file {name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).",
        ) from exc
    except RecursionError as exc:
        raise ValidationError(None, f"The file {name} is nested too deeply.") from exc
    except ValueError as exc:  # an integer longer than Python converts (4,300 digits)
        raise ValidationError(
            None, f"The file {name} holds a number with too many digits."
        ) from exc


def json_object(name: str) -> dict[str, Any]:
    """The JSON object in file ``name`` (``-`` = stdin), or one sentence saying what is wrong."""
    doc = _read_json_file(name)
    if not isinstance(doc, dict):
        raise ValidationError(
            None, f"The file {name} must hold a JSON object, not a {type(doc).__name__}."
        )
    return doc
