"""Spec §3 thresholds at their boundaries: numbers, blood pressure, ASA class and fasting times."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NOT_NUMBERS = [
    "abc",
    "",
    "  ",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "1e400",
    "1,5",
    "1.5.1",
    True,
    False,
    [1.2],
    {"value": 1.2},
    float("nan"),
    float("inf"),
]
# The ``vp`` fixture is a stateless class, so reusing it across hypothesis examples is safe.
FIXTURE_OK = HealthCheck.function_scoped_fixture


def _quiet(result) -> None:
    """No finding at all on a complete document."""
    assert (result["warnings"], result["stops"], result["errors"], result["missing"]) == (
        [],
        [],
        [],
        [],
    ), result
    assert result["ready_to_sign"] is True


# --- history.inr: warning > 1.5, accepted 0.5–10 -----------------------------------------------


@pytest.mark.parametrize("value", [0.5, 1, 1.0, 1.5, "1.5", " 1.50 "])
def test_inr_up_to_1_5_is_quiet(vp, value):
    _quiet(vp.answer("history.inr", value))


@pytest.mark.parametrize("value", [1.51, "1.51", 2, 10, 10.0])
def test_inr_above_1_5_warns(vp, value):
    result = vp.answer("history.inr", value)
    assert "1.5" in vp.only(result, "warnings", "history.inr")
    assert result["ready_to_sign"] is False


@pytest.mark.parametrize("value", [0.49, 10.01, 0, -1, 11, "0.49", "10.01"])
def test_inr_outside_the_accepted_range_is_an_error(vp, value):
    result = vp.answer("history.inr", value)
    message = vp.only(result, "errors", "history.inr")
    assert "0.5" in message and "10" in message
    assert result["ready_to_sign"] is False


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_inr_that_is_not_a_number_is_an_error(vp, value):
    result = vp.answer("history.inr", value)
    vp.only(result, "errors", "history.inr")
    assert result["ready_to_sign"] is False


@settings(max_examples=150, deadline=None, suppress_health_check=[FIXTURE_OK])
@given(st.floats(min_value=0, max_value=12, allow_nan=False))
def test_inr_property(vp, value):
    result = vp.answer("history.inr", value)
    if not 0.5 <= value <= 10:
        assert vp.items(result, "errors") == ["history.inr"]
    elif value > 1.5:
        assert vp.items(result, "warnings") == ["history.inr"]
        assert result["errors"] == []
    else:
        assert result["warnings"] == [] and result["errors"] == []


# --- history.platelets: warning < 50, accepted 1–2000 ------------------------------------------


@pytest.mark.parametrize("value", [50, 50.0, "50", 250, 2000])
def test_platelets_50_or_more_is_quiet(vp, value):
    _quiet(vp.answer("history.platelets", value))


@pytest.mark.parametrize("value", [49, 49.9, "49", 1])
def test_platelets_below_50_warns(vp, value):
    result = vp.answer("history.platelets", value)
    assert "50" in vp.only(result, "warnings", "history.platelets")


@pytest.mark.parametrize("value", [0, 2001, -5, 0.9, 2000.5])
def test_platelets_outside_the_accepted_range_is_an_error(vp, value):
    result = vp.answer("history.platelets", value)
    message = vp.only(result, "errors", "history.platelets")
    assert "1" in message and "2000" in message
    assert result["ready_to_sign"] is False


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_platelets_that_are_not_a_number_are_an_error(vp, value):
    vp.only(vp.answer("history.platelets", value), "errors", "history.platelets")


# --- sedation.baseline_hr: warning < 50 or > 120, impossible < 20 or > 250 ---------------------


@pytest.mark.parametrize("value", [50, 72, 120])
def test_heart_rate_50_to_120_is_quiet(vp, value):
    _quiet(vp.answer("sedation.baseline_hr", value))


@pytest.mark.parametrize(
    ("value", "words"), [(49, "below 50"), (20, "below 50"), (121, "above 120"), (250, "above 120")]
)
def test_heart_rate_outside_50_to_120_warns(vp, value, words):
    assert words in vp.only(
        vp.answer("sedation.baseline_hr", value), "warnings", "sedation.baseline_hr"
    )


@pytest.mark.parametrize("value", [19, 251, 0, 300, "abc", True, "nan"])
def test_impossible_heart_rate_is_an_error(vp, value):
    result = vp.answer("sedation.baseline_hr", value)
    vp.only(result, "errors", "sedation.baseline_hr")
    assert result["ready_to_sign"] is False


# --- sedation.baseline_spo2: warning < 92, impossible > 100 or < 50 ----------------------------


@pytest.mark.parametrize("value", [92, 97, 100, "100"])
def test_spo2_92_to_100_is_quiet(vp, value):
    _quiet(vp.answer("sedation.baseline_spo2", value))


@pytest.mark.parametrize("value", [91, 91.9, 50])
def test_spo2_below_92_warns(vp, value):
    assert "92" in vp.only(
        vp.answer("sedation.baseline_spo2", value), "warnings", "sedation.baseline_spo2"
    )


@pytest.mark.parametrize("value", [101, 49, 100.1, 0, "abc", False])
def test_impossible_spo2_is_an_error(vp, value):
    result = vp.answer("sedation.baseline_spo2", value)
    vp.only(result, "errors", "sedation.baseline_spo2")
    assert result["ready_to_sign"] is False


# --- skin.dry_time_min: warning < 3 --------------------------------------------------------------


@pytest.mark.parametrize("value", [3, 3.0, "3", 10])
def test_dry_time_3_minutes_or_more_is_quiet(vp, value):
    _quiet(vp.answer("skin.dry_time_min", value))


@pytest.mark.parametrize("value", [2.9, 0, "2.9"])
def test_dry_time_below_3_minutes_warns(vp, value):
    vp.only(vp.answer("skin.dry_time_min", value), "warnings", "skin.dry_time_min")


@pytest.mark.parametrize("value", [-1, "abc", True])
def test_invalid_dry_time_is_an_error(vp, value):
    vp.only(vp.answer("skin.dry_time_min", value), "errors", "skin.dry_time_min")


# --- sedation.baseline_bp: warning sys > 180 or < 90, dia > 110; impossible values -------------


@pytest.mark.parametrize("value", ["180/110", "90/60", "120/80", "130/80", " 120 / 80 "])
def test_blood_pressure_within_limits_is_quiet(vp, value):
    _quiet(vp.answer("sedation.baseline_bp", value))


@pytest.mark.parametrize("value", ["181/80", "120/111", "89/60", "300/80", "200/120"])
def test_blood_pressure_outside_limits_warns(vp, value):
    result = vp.answer("sedation.baseline_bp", value)
    message = vp.only(result, "warnings", "sedation.baseline_bp")
    assert value in message
    assert result["ready_to_sign"] is False


@pytest.mark.parametrize(
    "value",
    [
        "80/80",
        "80/90",
        "301/80",
        "abc",
        "120",
        "120/",
        "/80",
        "120/80/70",
        "-120/80",
        "1200/80",
        "",
        120,
        True,
        ["120", "80"],
        "120.5/80",
    ],
)
def test_impossible_or_malformed_blood_pressure_is_an_error(vp, value):
    result = vp.answer("sedation.baseline_bp", value)
    vp.only(result, "errors", "sedation.baseline_bp")
    assert result["ready_to_sign"] is False


def test_blood_pressure_error_messages_say_why(vp):
    equal = vp.answer("sedation.baseline_bp", "80/80")["errors"][0]["message"]
    assert "systolic" in equal and "diastolic" in equal
    high = vp.answer("sedation.baseline_bp", "301/80")["errors"][0]["message"]
    assert "301" in high and "300" in high


@settings(max_examples=200, deadline=None, suppress_health_check=[FIXTURE_OK])
@given(st.integers(min_value=0, max_value=999), st.integers(min_value=0, max_value=999))
def test_blood_pressure_property(vp, systolic, diastolic):
    result = vp.answer("sedation.baseline_bp", f"{systolic}/{diastolic}")
    if systolic <= diastolic or systolic > 300:
        assert vp.items(result, "errors") == ["sedation.baseline_bp"]
        assert result["warnings"] == []
    elif systolic > 180 or systolic < 90 or diastolic > 110:
        assert vp.items(result, "warnings") == ["sedation.baseline_bp"]
        assert result["errors"] == []
    else:
        assert result["warnings"] == [] and result["errors"] == []


# --- sedation.asa_class: IV or V warns ----------------------------------------------------------


@pytest.mark.parametrize("value", ["I", "II", "III"])
def test_asa_i_to_iii_is_quiet(vp, value):
    _quiet(vp.answer("sedation.asa_class", value))


@pytest.mark.parametrize("value", ["IV", "V"])
def test_asa_iv_and_v_warn(vp, value):
    assert "anaesthesia review" in vp.only(
        vp.answer("sedation.asa_class", value), "warnings", "sedation.asa_class"
    )


@pytest.mark.parametrize("value", ["VI", "iv", "4", 4, ""])
def test_asa_outside_the_options_is_an_error(vp, value):
    vp.only(vp.answer("sedation.asa_class", value), "errors", "sedation.asa_class")


# --- fasting: planned start 2026-03-10T10:00 ----------------------------------------------------


@pytest.mark.parametrize("when", ["2026-03-10T08:00", "2026-03-10T06:00", "2026-03-09T23:00"])
def test_clear_liquids_2_hours_or_more_before_start_is_quiet(vp, when):
    _quiet(vp.answer("sedation.last_clear_liquids", when))


@pytest.mark.parametrize("when", ["2026-03-10T08:01", "2026-03-10T09:59", "2026-03-10T10:00"])
def test_clear_liquids_less_than_2_hours_before_start_warns(vp, when):
    message = vp.only(
        vp.answer("sedation.last_clear_liquids", when), "warnings", "sedation.last_clear_liquids"
    )
    assert "2 h" in message


@pytest.mark.parametrize("when", ["2026-03-10T10:01", "2026-03-11T07:00"])
def test_clear_liquids_after_the_planned_start_is_an_error_not_a_warning(vp, when):
    result = vp.answer("sedation.last_clear_liquids", when)
    assert "after the planned start" in vp.only(result, "errors", "sedation.last_clear_liquids")
    assert result["ready_to_sign"] is False


def test_clear_liquids_across_midnight_counts_real_hours(vp):
    doc = vp.doc(
        ["L2"],
        sedation__last_clear_liquids="2026-03-09T23:00",
        sedation__last_solids="2026-03-09T18:00",
    )
    doc["planned_start"] = "2026-03-10T01:00"
    _quiet(vp.run(doc))
    doc["answers"]["sedation.last_clear_liquids"] = "2026-03-09T23:01"
    vp.only(vp.run(doc), "warnings", "sedation.last_clear_liquids")


@pytest.mark.parametrize(
    ("meal", "when", "warns"),
    [
        ("light", "2026-03-10T04:00", False),  # exactly 6 h
        ("light", "2026-03-10T04:01", True),  # 5 h 59
        ("light", "2026-03-09T20:00", False),
        ("fatty", "2026-03-10T02:00", False),  # exactly 8 h
        ("fatty", "2026-03-10T02:01", True),  # 7 h 59
        ("fatty", "2026-03-10T04:00", True),  # 6 h is enough for light, not for fatty
        ("light", "2026-03-10T10:00", True),  # at the planned start
    ],
)
def test_solids_interval_depends_on_meal_type(vp, meal, when, warns):
    result = vp.run(vp.doc(["L2"], sedation__meal_type=meal, sedation__last_solids=when))
    if warns:
        message = vp.only(result, "warnings", "sedation.last_solids")
        assert ("6 h" if meal == "light" else "8 h") in message
        assert meal in message
    else:
        _quiet(result)


def test_solids_after_the_planned_start_is_an_error(vp):
    result = vp.answer("sedation.last_solids", "2026-03-10T10:01")
    assert "after the planned start" in vp.only(result, "errors", "sedation.last_solids")


def test_solids_without_a_meal_type_are_judged_by_the_strictest_interval(vp):
    doc = vp.doc(["L2"], sedation__last_solids="2026-03-10T03:00")  # 7 h: fine if light
    del doc["answers"]["sedation.meal_type"]
    result = vp.run(doc)
    assert vp.items(result, "warnings") == ["sedation.last_solids"]
    assert result["missing"] == ["sedation.meal_type"]


@pytest.mark.parametrize(
    "when",
    [
        "2026-03-10 08:00",
        "2026-03-10T08:00:00",
        "2026-03-10T8:00",
        "2026-02-30T08:00",
        "2026-03-10T25:00",
        "08:00",
        "",
        1710000000,
        "2026-03-10T08:00+01:00",
    ],
)
def test_malformed_fasting_time_is_an_error(vp, when):
    vp.only(vp.answer("sedation.last_clear_liquids", when), "errors", "sedation.last_clear_liquids")


# --- robustness of number parsing ---------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [10**400, -(10**400), "1" + "0" * 400], ids=["int", "negative-int", "digit-string"]
)
@pytest.mark.parametrize("item_id", ["history.inr", "history.platelets", "sedation.baseline_hr"])
def test_huge_integer_is_an_error_not_a_crash(vp, item_id, value):
    """``json.loads`` yields such ints from a checklist file; evaluate must never raise on them."""
    result = vp.answer(item_id, value)
    vp.only(result, "errors", item_id)
    assert result["ready_to_sign"] is False


@pytest.mark.parametrize(
    ("item_id", "value"),
    [
        ("skin.dry_time_min", "2_5"),
        ("history.platelets", "2_50"),
        ("sedation.baseline_spo2", "9_5"),
    ],
)
def test_underscore_digit_grouping_is_not_a_number(vp, item_id, value):
    """Python's ``float("2_5") == 25.0``; a typed "2_5" must not silently become 25."""
    vp.only(vp.answer(item_id, value), "errors", item_id)
