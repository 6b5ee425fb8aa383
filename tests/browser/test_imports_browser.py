"""A shopkeeper imports a CSV file on a phone: the preview shows the bad row with its reason,
they confirm, and see the report — in the request for a small file, through the progress
bar (htmx polling) for a large one."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from catalog.models import ImportJob, Product
from catalog.services import imports
from catalog.tasks import apply_import_job
from tests.browser.conftest import foreign_requests
from tests.factories import MerchantMemberFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shopkeeper(page, live_server):
    """An owner logged in, on a phone-sized screen; returns their shop."""
    member = MerchantMemberFactory(role="owner")
    client = Client()
    client.force_login(member.user)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    page.set_viewport_size({"width": 360, "height": 800})
    return member.merchant


def upload(page, live_server, shop, path):
    page.goto(live_server.url + reverse("imports:index", args=[shop.slug]))
    page.locator("input[type=file]").set_input_files(path)
    page.locator("form.imports-upload button[type=submit]").click()
    page.wait_for_url(re.compile(r"/import-export/\d+/$"))


def test_import_a_csv_with_one_bad_row_see_the_error_confirm_and_see_the_report(
    page, live_server, shopkeeper, tmp_path
):
    path = tmp_path / "produits.csv"
    path.write_bytes(
        "reference;titre;prix;tva;unite;stock\r\n"
        "PAIN-1;Pain de campagne;4,20;5,5;pièce;12\r\n"
        "CREME-1;Crème brûlée;-3,50;5,5;pièce;\r\n"
        "MIEL-1;Miel de châtaignier;9,80 €;5,5;lot;3\r\n".encode("cp1252")
    )
    upload(page, live_server, shopkeeper, path)

    bad_row = page.locator('tr.import-row--error[data-line="3"]')
    expect(bad_row).to_be_visible()
    expect(bad_row).to_contain_text("Crème brûlée")  # read from Windows-1252
    expect(bad_row.locator(".import-row__messages")).to_contain_text(
        re.compile(r"prix\s*: .*0")  # the model's reason, in the page's language
    )
    expect(page.locator("tr.import-row--created")).to_have_count(2)
    assert not Product.objects.exists()  # nothing written before confirmation

    page.locator(".import-status--previewed form button.button:not(.button--secondary)").click()
    expect(page.locator(".import-status--done")).to_be_visible()
    expect(page.locator('tr.import-row--error[data-line="3"]')).to_be_visible()
    expect(page.locator("tr.import-row--created")).to_have_count(2)
    assert sorted(shopkeeper.products.values_list("sku", flat=True)) == ["MIEL-1", "PAIN-1"]
    assert foreign_requests(page) == []


def test_a_large_import_shows_a_progress_bar_until_the_report(
    page, live_server, shopkeeper, tmp_path, monkeypatch
):
    # No Celery worker in browser tests: the file counts as large, the task is not sent,
    # and the test runs it while the page polls.
    monkeypatch.setattr(imports, "SYNC_MAX_ROWS", 2)
    monkeypatch.setattr(apply_import_job, "delay", lambda *args: None)
    path = tmp_path / "gros-fichier.csv"
    lines = ["reference,titre,prix"] + [f'R{n},Produit {n},"1,{n}0"' for n in range(5)]
    path.write_text("\n".join(lines), encoding="utf-8-sig")
    upload(page, live_server, shopkeeper, path)
    page.locator(".import-status--previewed form button.button:not(.button--secondary)").click()

    progress = page.locator("progress#import-progress")
    expect(progress).to_be_visible()
    expect(page.locator("#import-status")).to_have_attribute("hx-trigger", "every 1s")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED

    apply_import_job(job.pk, "fr")
    expect(page.locator(".import-status--done")).to_be_visible()
    expect(progress).to_have_count(0)
    expect(page.locator("tr.import-row--created")).to_have_count(5)
    assert shopkeeper.products.count() == 5
    assert foreign_requests(page) == []
