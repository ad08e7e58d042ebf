"""Shared fixtures for the core (no Qt) tests: a complete, ready-to-sign checklist document."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import pytest

from tests.documents import BENIGN_ANSWERS, BENIGN_V1_ANSWERS
from vpchecklist.rules import evaluate_document

PLANNED_START = "2026-03-10T10:00"


class Checklist:
    """Builds documents and evaluates them through the public JSON of ``evaluate``."""

    planned_start = PLANNED_START
    #: The ``"template_version"`` the documents pin; None = the active version (v2).
    version: int | None = None
    benign: dict[str, Any] = BENIGN_ANSWERS

    @classmethod
    def doc(cls, levels: Iterable[str] = ("L2",), **answers: Any) -> dict[str, Any]:
        """A complete document for ``levels`` (attire/pillow as derived per spec §2).

        Keyword arguments override answers; use ``item__id=value`` for ``item.id``.
        """
        levels = list(levels)
        # Thoracic is always the most cranial region, so it decides both derivations.
        thoracic = any(lvl.strip().upper().startswith("T") for lvl in levels)
        filled = copy.deepcopy(cls.benign)
        filled["clothing.attire"] = "gown" if thoracic else "own_clothes"
        filled["positioning.pillow_torso"] = "chest" if thoracic else "abdomen"
        for key, value in answers.items():
            filled[key.replace("__", ".")] = value
        doc: dict[str, Any] = {
            "patient": {"name": "Jane Doe", "date_of_birth": "1948-03-02", "mrn": "MRN-0001"},
            "levels": levels,
            "planned_start": PLANNED_START,
            "physician": "Dr. A. Radiologist",
            "answers": filled,
            "acknowledgements": {},
        }
        if cls.version is not None:
            doc["template_version"] = cls.version
        return doc

    @staticmethod
    def run(doc: dict[str, Any]) -> dict[str, Any]:
        """What ``vpchecklist evaluate`` prints for this document."""
        return evaluate_document(doc).to_json()

    @classmethod
    def answer(cls, item_id: str, value: Any, levels: Iterable[str] = ("L2",)) -> dict[str, Any]:
        """Evaluate a complete document with one answer changed."""
        doc = cls.doc(levels)
        doc["answers"][item_id] = value
        return cls.run(doc)

    @staticmethod
    def items(result: dict[str, Any], key: str) -> list[str]:
        """The item ids of the findings under ``key`` (warnings, stops or errors)."""
        return [finding["item"] for finding in result[key]]

    @classmethod
    def only(cls, result: dict[str, Any], key: str, item_id: str) -> str:
        """Assert exactly one finding, under ``key``, on ``item_id``; return its message."""
        findings = {k: cls.items(result, k) for k in ("warnings", "stops", "errors")}
        expected = {k: ([item_id] if k == key else []) for k in findings}
        assert findings == expected, result
        assert result["missing"] == [], result
        return result[key][0]["message"]

    @classmethod
    def clean(cls, result: dict[str, Any]) -> None:
        """Assert no finding at all and ready to sign."""
        assert result["warnings"] == [], result
        assert result["stops"] == [], result
        assert result["errors"] == [], result
        assert result["missing"] == [], result
        assert result["ready_to_sign"] is True, result


class ChecklistV1(Checklist):
    """Documents pinned to template v1 with ``"template_version": 1``."""

    version = 1
    benign = BENIGN_V1_ANSWERS


@pytest.fixture
def vp() -> type[Checklist]:
    """Documents on the active template (v2)."""
    return Checklist


@pytest.fixture
def vp1() -> type[Checklist]:
    """Documents pinned to template v1."""
    return ChecklistV1
