"""Re-render the sample PDFs of this folder from demo records (``python docs/samples/render_samples.py``).

Demo records come from ``vpchecklist.demo.generate`` (seed 11, 60 records, in Europe/Berlin's
zone); the first signed thoracic record with warnings, allergies and an anticoagulant, the first
signed lumbar record with an anticoagulant and the first postponed one are exported with the
export service, then each page is rendered with ``pdftoppm -png -r 60`` and reduced to a
64-colour palette (32 merged the alert red into the warning amber).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["TZ"] = "Europe/Berlin"
time.tzset()
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PIL import Image  # noqa: E402

from vpchecklist import demo  # noqa: E402
from vpchecklist.services import checklists, exports  # noqa: E402
from vpchecklist.store import open_store  # noqa: E402

HERE = Path(__file__).resolve().parent


def pick(store, reader, ids: list[int]) -> dict[str, int]:  # type: ignore[no-untyped-def]
    picked: dict[str, int] = {}
    for cid in ids:
        record = checklists.detail(store, reader, cid, audited=False)
        answers = {k: v["value"] for k, v in record["answers"].items()}
        thoracic = any(level.startswith("T") for level in record["header"]["levels"])
        coded = isinstance(answers.get("history.anticoagulants"), list)
        if record["status"] == "postponed":
            picked.setdefault("postponed", cid)
        elif thoracic and coded and isinstance(answers.get("history.allergies"), list):
            if checklists.evaluation(store, reader, cid).warnings:
                picked.setdefault("thoracic", cid)
        elif not thoracic and coded:
            picked.setdefault("lumbar", cid)
    return picked


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "demo.sqlite", demo=True)
        ids = list(demo.generate(store, 60, seed=11))
        reader = demo.ensure_demo_users(store)["demo.auditor"]
        for name, cid in pick(store, reader, ids).items():
            pdf = HERE / f"{name}.pdf"
            paper = "letter" if name == "lumbar" else "a4"
            exports.export_one(store, reader, cid, pdf, paper, replace=True)
            for old in HERE.glob(f"{name}-*.png"):
                old.unlink()
            subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(HERE / name)], check=True)
            for page in sorted(HERE.glob(f"{name}-*.png")):
                Image.open(page).convert("RGB").quantize(64).save(page, optimize=True)
                page.rename(page.with_name(f"{name}-{int(page.stem.split('-')[-1])}.png"))
            print(name, "record", cid, "->", pdf.name)


if __name__ == "__main__":
    main()
