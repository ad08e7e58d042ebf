"""Clinical rules as pure functions over a template and answers: no I/O, no Qt."""

from vpchecklist.rules.evaluation import Evaluation, Finding, evaluate, evaluate_document
from vpchecklist.rules.levels import (
    deciding_levels,
    derived_answer,
    level_warnings,
    most_cranial_region,
    parse_levels,
    regions_of,
)
from vpchecklist.rules.values import normalize_answer, normalize_header

__all__ = [
    "Evaluation",
    "Finding",
    "deciding_levels",
    "derived_answer",
    "evaluate",
    "evaluate_document",
    "level_warnings",
    "most_cranial_region",
    "normalize_answer",
    "normalize_header",
    "parse_levels",
    "regions_of",
]
