"""The record hash's QR code: the fast encoder gives exactly reportlab's modules."""

from __future__ import annotations

import hashlib
import random

from reportlab.graphics.barcode import qrencoder

from vpchecklist.export.qr import MASK, qr_modules


def reportlab_modules(value: str) -> list[list[bool]]:
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(value)
    code.version = code.calculate_version()
    code.makeImpl(False, MASK)
    return code.modules


def test_fast_encoder_matches_reportlab() -> None:
    rng = random.Random(4)
    values = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(40)]
    values += ["", "x", "checklist 12", "".join(rng.choice("abc012") for _ in range(300))]
    for value in values:
        assert qr_modules(value) == reportlab_modules(value), value
