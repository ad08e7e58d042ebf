"""The record hash's QR code: reportlab's encoder with one fixed mask, read back by an
independent decoder (zxing-cpp), so a wrong check byte or mask would fail here."""

from __future__ import annotations

import hashlib

import zxingcpp
from PIL import Image

from vpchecklist.export.qr import qr_modules

SCALE = 4
QUIET = 4


def decode(modules: list[list[bool]]) -> list[str]:
    """Draw the modules as a black-on-white picture with a quiet zone and decode it."""
    count = len(modules)
    side = (count + 2 * QUIET) * SCALE
    image = Image.new("L", (side, side), 255)
    for row, line in enumerate(modules):
        for col, dark in enumerate(line):
            if dark:
                x, y = (col + QUIET) * SCALE, (row + QUIET) * SCALE
                image.paste(0, (x, y, x + SCALE, y + SCALE))
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_the_code_of_a_record_hash_reads_back_as_the_hash() -> None:
    for n in range(12):
        digest = hashlib.sha256(str(n).encode()).hexdigest()
        assert decode(qr_modules(digest)) == [digest]


def test_short_and_long_values_read_back() -> None:
    for value in ["x", "checklist 12", "record-sha256=" + "ab01" * 40]:
        assert decode(qr_modules(value)) == [value]


def test_a_damaged_code_does_not_read_as_the_hash() -> None:
    digest = hashlib.sha256(b"record").hexdigest()
    modules = [list(line) for line in qr_modules(digest)]
    for row in range(9, len(modules) - 9):  # wipe the middle band of data modules
        modules[row] = [False] * 9 + [not m for m in modules[row][9:-9]] + [False] * 9
    assert decode(modules) != [digest]
