"""The QR code of the record hash, encoded by reportlab's own QR encoder with one fixed mask.

reportlab's ``QrCodeWidget`` encodes twice and tries all eight masks to pick the one with the
fewest penalty points (~60 ms). Any mask is valid for every reader, so ``qr_modules`` asks
reportlab's encoder for mask 2 only (~2.5 ms). No hand-written Reed-Solomon: the check bytes
are reportlab's (tests/core/test_export_qr.py decodes the code with an independent reader).

reportlab also rebuilds the Reed-Solomon generator polynomial (a pure function of the number
of check bytes, ~40 % of an encoding) for every block of every code; ``_memoise_generator``
keeps each one for the process. The polynomial and the arithmetic stay reportlab's.
"""

from __future__ import annotations

from functools import lru_cache

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.platypus import Flowable

MASK = 2


def _memoise_generator() -> None:
    """Keep reportlab's generator polynomials (never mutated: ``mod`` builds new ones)."""
    util = qrencoder.QRUtil
    if not hasattr(util, "_vp_memoised"):
        util.getErrorCorrectPolynomial = staticmethod(  # type: ignore[method-assign]
            lru_cache(maxsize=64)(util.getErrorCorrectPolynomial)
        )
        util._vp_memoised = True  # type: ignore[attr-defined]


_memoise_generator()


def qr_modules(value: str) -> list[list[bool]]:
    """The module matrix of ``value`` (error correction level M, mask ``MASK``)."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(value)
    code.version = code.calculate_version()
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
