"""The QR code of the record hash: reportlab's encoder with a fast Reed-Solomon step.

reportlab's QrCodeWidget encodes twice and tries all eight masks (~60 ms). ``QrFlowable`` uses
one fixed mask (equally valid for any reader) and computes the error-correction bytes with
table look-ups instead of reportlab's polynomial objects, which rebuild the generator
polynomial for every block: ~1.7 ms instead of ~2.5 ms per code. The modules are identical to
reportlab's (tests/core/test_export_qr.py compares them).
"""

from __future__ import annotations

from functools import lru_cache
from itertools import chain, zip_longest

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.platypus import Flowable

_EXP: list[int] = qrencoder.EXP_TABLE
_LOG: list[int] = qrencoder.LOG_TABLE
MASK = 2


@lru_cache(maxsize=64)
def _generator_logs(ec_count: int) -> tuple[int | None, ...]:
    """log₂ of the generator polynomial's coefficients after the leading 1 (None for 0)."""
    coefficients = qrencoder.QRUtil.getErrorCorrectPolynomial(ec_count).num[1:]
    return tuple(_LOG[c] if c else None for c in coefficients)


def _ec_bytes(data: list[int], ec_count: int) -> list[int]:
    """The remainder of data·x^ec_count divided by the generator (the RS check bytes)."""
    logs = _generator_logs(ec_count)
    remainder = [0] * ec_count
    for byte in data:
        factor = byte ^ remainder[0]
        remainder = remainder[1:]
        remainder.append(0)
        if factor:
            shift = _LOG[factor]
            for i, log in enumerate(logs):
                if log is not None:
                    remainder[i] ^= _EXP[(log + shift) % 255]
    return remainder


def create_data(version: int, level: int, data_list: list[object]) -> list[int]:
    """``qrencoder.QRCode.createData`` with the fast check bytes."""
    blocks = qrencoder.QRRSBlock.getRSBlocks(version, level)
    buffer = qrencoder.QRBitBuffer()
    for data in data_list:
        data.write(buffer, version)  # type: ignore[attr-defined]
    capacity = sum(block.dataCount for block in blocks) * 8
    if buffer.getLengthInBits() > capacity:
        raise ValueError(f"code length overflow ({buffer.getLengthInBits()} > {capacity})")
    if buffer.getLengthInBits() + 4 <= capacity:
        buffer.put(0, 4)
    while buffer.getLengthInBits() % 8:
        buffer.putBit(False)
    pad = (qrencoder.QRCode.PAD0, qrencoder.QRCode.PAD1)
    n = 0
    while buffer.getLengthInBits() < capacity:
        buffer.put(pad[n % 2], 8)
        n += 1
    data_blocks: list[list[int]] = []
    ec_blocks: list[list[int]] = []
    offset = 0
    for block in blocks:
        chunk = list(buffer.buffer[offset : offset + block.dataCount])
        offset += block.dataCount
        data_blocks.append(chunk)
        ec_blocks.append(_ec_bytes(chunk, block.totalCount - block.dataCount))
    return [
        byte
        for group in chain(zip_longest(*data_blocks), zip_longest(*ec_blocks))
        for byte in group
        if byte is not None
    ]


def qr_modules(value: str) -> list[list[bool]]:
    """The module matrix of ``value`` (error correction level M, mask 2)."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(value)
    code.version = code.calculate_version()
    code.dataCache = create_data(code.version, code.errorCorrectLevel, code.dataList)
    code.makeImpl(False, MASK)
    modules: list[list[bool]] = code.modules
    return modules


class QrFlowable(Flowable):
    """A QR code of ``value`` drawn as one path (a rectangle per horizontal run of modules)."""

    QUIET = 2

    def __init__(self, value: str, size: float) -> None:
        super().__init__()
        self.modules = qr_modules(value)
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        count = len(self.modules)
        cell = self.size / (count + 2 * self.QUIET)
        canvas = self.canv
        path = canvas.beginPath()
        for row, line in enumerate(self.modules):
            y = self.size - (row + self.QUIET + 1) * cell
            col = 0
            while col < count:
                if not line[col]:
                    col += 1
                    continue
                end = col
                while end < count and line[end]:
                    end += 1
                path.rect((col + self.QUIET) * cell, y, (end - col) * cell, cell)
                col = end
        canvas.setFillColor(colors.black)
        canvas.drawPath(path, stroke=0, fill=1)
