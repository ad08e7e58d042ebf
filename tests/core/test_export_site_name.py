"""Issue 13 finding 6: the site's name, "printed on every PDF" says the settings tab, is printed
on every page of an export; renaming the site later leaves that copy verifiable."""

from __future__ import annotations

from pypdf import PdfReader

from tests.core.export_fixtures import rich_document, signed_record, unicode_signer
from vpchecklist.services import exports, settings


def test_the_site_name_is_on_every_page_and_a_rename_keeps_copies_valid(
    store, actors, vp1, tmp_path
):
    settings.update(store, actors["admin"], {"site_name": "St Mary's Hospital — Spine Unit"})
    signer = unicode_signer(store, actors["admin"])
    cid = signed_record(store, signer, rich_document(vp1.doc(["L2"])))
    out = tmp_path / "copy.pdf"
    exports.export_one(store, actors["auditor"], cid, out)
    pages = PdfReader(out).pages
    assert len(pages) > 1
    for page in pages:
        assert "Site: St Mary's Hospital — Spine Unit" in (page.extract_text() or "")
    settings.update(store, actors["admin"], {"site_name": "St Mary's (renamed)"})
    ok, message = exports.verify_pdf(store, out)
    assert ok, message
