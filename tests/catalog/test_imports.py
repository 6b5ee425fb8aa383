"""CSV import and export of a shop's products: the file format, the preview that writes
nothing, confirmation row by row, the Celery task and its progress, and the pages."""

import codecs
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from catalog import csv_format, services, tasks
from catalog.models import Category, ImportJob, Product
from catalog.services import imports
from catalog.tasks import apply_import_job
from tests.factories import (
    ImportJobFactory,
    MerchantMemberFactory,
    ProductFactory,
)

HEADER = ["reference", "titre", "prix", "tva", "unite", "stock", "statut", "categorie", "labels"]


def plain(text: str) -> str:
    """French typography puts no-break spaces inside « » and before « : »; compare words."""
    return text.replace("\xa0", " ")


def csv_text(rows, header=HEADER, sep=";"):
    lines = [sep.join(header)] + [sep.join(row) for row in rows]
    return "\r\n".join(lines) + "\r\n"


def csv_file(rows, header=HEADER, sep=";", encoding="utf-8", name="produits.csv"):
    data = csv_text(rows, header, sep).encode(encoding)
    return SimpleUploadedFile(name, data, content_type="text/csv")


def upload(owner, rows, **kwargs):
    return services.import_job_create(
        actor=owner, merchant=owner.shop, upload=csv_file(rows, **kwargs)
    )


def outcomes(rows):
    return {row["line"]: row["outcome"] for row in rows}


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


# --- The file format ----------------------------------------------------------------------


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
def test_reads_utf8_with_or_without_bom(bom):
    data = bom + "reference;titre;prix\nCB-1;Crème brûlée;3,50\n".encode()
    parsed = csv_format.read(data)
    assert parsed.encoding == "utf-8"
    assert parsed.columns == ["reference", "titre", "prix"]
    assert parsed.rows[0].values == {"reference": "CB-1", "titre": "Crème brûlée", "prix": "3,50"}


def test_reads_windows_1252_accents():
    data = "référence;Titre;Prix\r\nCB-1;Crème brûlée à l’œuf;3,50 €\r\n".encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    parsed = csv_format.read(data)
    assert parsed.encoding == "windows-1252"
    assert parsed.rows[0].values["titre"] == "Crème brûlée à l’œuf"
    assert csv_format.parse_decimal(parsed.rows[0].values["prix"]) == Decimal("3.50")


@pytest.mark.parametrize("sep", [";", ","])
def test_comma_or_semicolon_with_quoted_cells_holding_separators(sep):
    text = (
        f"reference{sep}titre{sep}description{sep}prix\n"
        f'P1{sep}"Pain; complet, bio"{sep}"Farine T80, levain;\nsel"{sep}"4,20"\n'
        f'P2{sep}Baguette{sep}{sep}"1,10"\n'
    )
    parsed = csv_format.read(text.encode())
    assert parsed.delimiter == sep
    first, second = parsed.rows
    assert first.values["titre"] == "Pain; complet, bio"
    assert first.values["description"] == "Farine T80, levain;\nsel"
    assert first.values["prix"] == "4,20"
    # Line numbers are the spreadsheet's rows (a cell on two lines is still one row).
    assert (first.line, second.line) == (2, 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,50", "12.50"),
        ("12.50", "12.50"),
        ("12,50 €", "12.50"),
        ("12,5€", "12.5"),
        ("1 234,50", "1234.50"),
        ("1\u202f234,50", "1234.50"),
        ("1.234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("0", "0"),
        ("-3", "-3"),
    ],
)
def test_amounts_accept_decimal_comma_and_euro_sign(text, expected):
    assert csv_format.parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["abc", "12,5,0", "1e3", "NaN", "€"])
def test_a_non_amount_is_refused_with_the_value(text):
    with pytest.raises(ValidationError) as excinfo:
        csv_format.parse_decimal(text)
    assert text in excinfo.value.messages[0]


def test_headers_match_whatever_their_case_and_accents_and_unknown_ones_are_listed():
    text = "Référence;TITRE;Prix barré;TVA (%);Unité;Catégorie;Couleur\nA;B;5;20;kg;;rouge\n"
    parsed = csv_format.read(text.encode())
    assert parsed.columns == ["reference", "titre", "prix_barre", "tva", "unite", "categorie"]
    assert parsed.ignored_columns == ["Couleur"]


def test_missing_required_columns_is_a_clear_error():
    with pytest.raises(ValidationError) as excinfo:
        csv_format.read(b"titre;description\nPain;Bon\n")
    assert excinfo.value.code == "missing_columns"
    message = excinfo.value.messages[0]
    assert "« prix »" in plain(message)
    assert "« titre », « description »" in message  # the columns found


def test_a_file_over_the_size_limit_is_refused():
    data = b"titre;prix\n" + b"x" * csv_format.MAX_BYTES
    with pytest.raises(ValidationError) as excinfo:
        csv_format.read(data)
    assert excinfo.value.code == "too_large"
    assert "5,0" in excinfo.value.messages[0]


def test_a_file_over_the_row_limit_is_refused(monkeypatch):
    monkeypatch.setattr(csv_format, "MAX_ROWS", 3)
    text = csv_text([["", f"P{n}", "1"] for n in range(3)], header=["reference", "titre", "prix"])
    assert len(csv_format.read(text.encode()).rows) == 3
    text = csv_text([["", f"P{n}", "1"] for n in range(4)], header=["reference", "titre", "prix"])
    with pytest.raises(ValidationError) as excinfo:
        csv_format.read(text.encode())
    assert excinfo.value.code == "too_many_rows"


def test_excel_unicode_text_utf16_with_tabs_is_read():
    data = "titre\tprix\r\nCrème brûlée\t3,50\r\n".encode("utf-16")
    parsed = csv_format.read(data)
    assert (parsed.encoding, parsed.delimiter) == ("utf-16", "\t")
    assert parsed.rows[0].values == {"titre": "Crème brûlée", "prix": "3,50"}


def test_empty_lines_are_skipped_and_line_numbers_kept():
    parsed = csv_format.read(b"titre;prix\nA;1\n;\n\nB;2\n;;;\n")
    assert [(row.line, row.values["titre"]) for row in parsed.rows] == [(2, "A"), (5, "B")]


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError):
        csv_format.read(b"")
    with pytest.raises(ValidationError) as excinfo:
        csv_format.read(b"titre;prix\n")
    assert excinfo.value.code == "no_rows"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("20", "20.00"), ("5,5", "5.50"), ("5.5 %", "5.50"), ("2,1", "2.10"), ("10,0", "10.00")],
)
def test_vat_rates(text, expected):
    assert csv_format.parse_vat_rate(text) == Decimal(expected)


def test_unknown_vat_rate_lists_the_accepted_ones():
    with pytest.raises(ValidationError) as excinfo:
        csv_format.parse_vat_rate("19,6")
    assert "20, 10, 5,5, 2,1" in excinfo.value.messages[0]


def test_units_statuses_and_labels_by_their_french_names():
    assert [csv_format.parse_unit(u) for u in ["Pièce", "kg", "100 g", "Litre", "lot"]] == [
        "piece",
        "kg",
        "100g",
        "litre",
        "lot",
    ]
    assert [csv_format.parse_status(s) for s in ["Brouillon", "publié", "ARCHIVÉ"]] == [
        "draft",
        "published",
        "archived",
    ]
    assert csv_format.parse_labels("Bio | fait main,Zéro déchet") == [
        "organic",
        "handmade",
        "zero_waste",
    ]
    with pytest.raises(ValidationError) as excinfo:
        csv_format.parse_labels("Bio, Vegan")
    assert "« Vegan »" in plain(excinfo.value.messages[0])
    assert "Fait main, Produit local, Bio" in excinfo.value.messages[0]


def test_written_file_is_utf8_with_bom_semicolons_and_neutralised_formulas():
    row = dict.fromkeys(csv_format.COLUMNS, "")
    row.update(titre="=SOMME(A1)", prix="12,50", description="Sur deux\nlignes; oui")
    data = b"".join(csv_format.write([row]))
    assert data.startswith(codecs.BOM_UTF8)
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == ";".join(csv_format.COLUMNS)
    assert ";'=SOMME(A1);" in text
    assert '"Sur deux\nlignes; oui"' in text
    # Read back, the quote that kept Excel from running the formula is gone.
    assert csv_format.read(data).rows[0].values["titre"] == "=SOMME(A1)"


# --- Preview, cancel, confirm -------------------------------------------------------------


@pytest.mark.django_db
def test_the_preview_writes_no_product(owner):
    existing = ProductFactory(merchant=owner.shop, sku="A1", price=Decimal("2.00"))
    job = upload(
        owner,
        [
            ["A1", "Pain", "2,50", "5,5", "pièce", "", "", "", ""],
            ["B2", "Brioche", "6", "", "", "", "", "", ""],
        ],
    )
    assert job.status == ImportJob.Status.PREVIEWED
    assert outcomes(job.preview) == {2: "updated", 3: "created"}
    assert job.preview[0]["changes"] == ["titre", "prix"]
    assert Product.objects.count() == 1
    existing.refresh_from_db()
    assert existing.price == Decimal("2.00")


@pytest.mark.django_db
def test_cancel_writes_nothing(owner):
    job = upload(owner, [["B2", "Brioche", "6", "", "", "", "", "", ""]])
    services.import_job_cancel(actor=owner, job=job)
    job.refresh_from_db()
    assert (job.status, job.rows) == (ImportJob.Status.CANCELLED, [])
    assert not Product.objects.exists()
    with pytest.raises(ValidationError):
        services.import_job_confirm(actor=owner, job=job)
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_confirm_creates_and_updates_as_previewed(owner):
    ProductFactory(merchant=owner.shop, sku="A1", title="Pain", price=Decimal("2.00"), stock=3)
    rows = [
        ["A1", "Pain", "2,50", "5,5", "pièce", "12", "", "", ""],
        [
            "B2",
            "Brioche",
            "6,00 €",
            "5,5",
            "pièce",
            "",
            "",
            "Alimentation › Boulangerie",
            "Fait main|Bio",
        ],
        ["C3", "Crème brûlée", "3.5", "10", "lot", "4", "publié", "alimentation-patisserie", ""],
    ]
    job = upload(owner, rows)
    planned = outcomes(job.preview)
    job = services.import_job_confirm(actor=owner, job=job)
    assert job.status == ImportJob.Status.DONE
    assert outcomes(job.report["rows"]) == planned == {2: "updated", 3: "created", 4: "created"}
    assert (job.created_count, job.updated_count, job.error_count) == (2, 1, 0)
    assert job.processed_rows == job.total_rows == 3

    products = {p.sku: p for p in owner.shop.products.select_related("category")}
    assert (products["A1"].price, products["A1"].stock) == (Decimal("2.50"), 12)
    brioche = products["B2"]
    assert (brioche.status, brioche.published_at, brioche.slug) == ("draft", None, "brioche")
    assert brioche.category.slug == "alimentation-boulangerie"
    assert brioche.labels == ["handmade", "organic"]
    assert brioche.stock is None
    creme = products["C3"]
    assert (creme.status, creme.unit, creme.vat_rate) == ("published", "lot", Decimal("10.00"))
    assert creme.published_at is not None
    assert creme.category.name == "Pâtisserie"


@pytest.mark.django_db
def test_bad_rows_are_reported_with_line_and_french_reason_and_others_are_written(owner):
    rows = [
        ["P1", "Bon", "2", "", "", "", "", "", ""],
        ["P2", "Prix négatif", "-1", "", "", "", "", "", ""],
        ["P3", "Catégorie inconnue", "3", "", "", "", "", "Fromagerei", ""],
        ["P1", "Doublon", "4", "", "", "", "", "", ""],
        ["P5", "Aussi bon", "5", "", "", "", "", "", ""],
        ["P6", "Prix barré trop bas", "5", "", "", "", "", "", ""],
    ]
    header = [*HEADER]
    rows[5].append("4")
    for row in rows[:5]:
        row.append("")
    job = upload(owner, rows, header=[*header, "prix_barre"])
    preview = {row["line"]: row for row in job.preview}
    assert outcomes(job.preview) == {
        2: "created",
        3: "error",
        4: "error",
        5: "error",
        6: "created",
        7: "error",
    }
    (message,) = preview[3]["messages"]
    assert plain(message).startswith(
        "prix : Assurez-vous que cette valeur est supérieure ou égale à 0"
    )
    assert "Fromagerei" in preview[4]["messages"][0]
    assert "Alimentation › Fromagerie" in preview[4]["messages"][0]  # a suggestion
    assert "P1" in preview[5]["messages"][0]
    assert "2" in preview[5]["messages"][0]  # the line of the first P1
    assert plain(preview[7]["messages"][0]).startswith("prix_barre :")

    job = services.import_job_confirm(actor=owner, job=job)
    assert outcomes(job.report["rows"]) == outcomes(job.preview)
    assert job.error_count == 4
    assert sorted(owner.shop.products.values_list("sku", flat=True)) == ["P1", "P5"]
    assert owner.shop.products.get(sku="P1").title == "Bon"


@pytest.mark.django_db
def test_a_reference_matches_only_this_shops_products(owner):
    other = ProductFactory(sku="A1", title="Chez le voisin", price=Decimal("9.00"))
    job = upload(owner, [["A1", "Chez moi", "2", "", "", "", "", "", ""]])
    assert outcomes(job.preview) == {2: "created"}
    services.import_job_confirm(actor=owner, job=job)
    other.refresh_from_db()
    assert (other.title, other.price) == ("Chez le voisin", Decimal("9.00"))
    assert owner.shop.products.get(sku="A1").title == "Chez moi"


@pytest.mark.django_db
def test_another_shops_people_cannot_import_into_it(owner):
    stranger = MerchantMemberFactory().user
    with pytest.raises(PermissionDenied):
        services.import_job_create(
            actor=stranger,
            merchant=owner.shop,
            upload=csv_file([["A", "B", "1"]], header=["reference", "titre", "prix"]),
        )
    job = upload(owner, [["A", "B", "1", "", "", "", "", "", ""]])
    with pytest.raises(PermissionDenied):
        services.import_job_confirm(actor=stranger, job=job)
    with pytest.raises(PermissionDenied):
        services.import_job_cancel(actor=stranger, job=job)


@pytest.mark.django_db
def test_a_file_with_only_references_updates_stock_and_refuses_unknown_references(owner):
    ProductFactory(merchant=owner.shop, sku="A1", title="Pain", stock=1, price=Decimal("2"))
    job = upload(owner, [["A1", "7"], ["ZZ", "3"], ["", "4"]], header=["reference", "stock"])
    assert outcomes(job.preview) == {2: "updated", 3: "error", 4: "error"}
    assert "ZZ" in job.preview[1]["messages"][0]
    assert "« titre »" in plain(job.preview[1]["messages"][0])
    assert job.preview[2]["messages"] == [
        gettext("This line has no reference: it cannot update a product.")
    ]
    services.import_job_confirm(actor=owner, job=job)
    product = owner.shop.products.get(sku="A1")
    assert (product.stock, product.title, product.price) == (7, "Pain", Decimal("2.00"))


@pytest.mark.django_db
def test_rows_are_planned_again_when_applied(owner):
    """A product created with the same reference between preview and confirmation is
    updated, not duplicated."""
    job = upload(owner, [["A1", "Pain", "2", "", "", "", "", "", ""]])
    assert outcomes(job.preview) == {2: "created"}
    ProductFactory(merchant=owner.shop, sku="A1", title="Pain", price=Decimal("1"))
    job = services.import_job_confirm(actor=owner, job=job)
    assert outcomes(job.report["rows"]) == {2: "updated"}
    assert owner.shop.products.get(sku="A1").price == Decimal("2.00")


@pytest.mark.django_db
def test_a_row_refused_by_the_database_is_not_half_written_and_others_go_on(owner, monkeypatch):
    taken = ProductFactory(merchant=owner.shop, slug="pris", sku="X")
    free_slug = imports._Shop.free_slug

    def clashing_slug(self, title):
        return "pris" if title == "Conflit" else free_slug(self, title)

    monkeypatch.setattr(imports._Shop, "free_slug", clashing_slug)
    job = upload(
        owner,
        [
            ["A", "Avant", "1"] + [""] * 6,
            ["B", "Conflit", "1"] + [""] * 6,
            ["C", "Après", "1"] + [""] * 6,
        ],
    )
    job = services.import_job_confirm(actor=owner, job=job)
    assert outcomes(job.report["rows"]) == {2: "created", 3: "error", 4: "created"}
    assert sorted(owner.shop.products.values_list("sku", flat=True)) == ["A", "C", taken.sku]


@pytest.mark.django_db
def test_export_then_import_changes_nothing(owner):
    fromagerie = Category.objects.get(slug="alimentation-fromagerie")
    ProductFactory(
        merchant=owner.shop,
        sku="T-1",
        title="Tomme de brebis",
        description="Affinée 6 mois.\nAu lait cru; de brebis, « fermier ».",
        price=Decimal("24.90"),
        compare_at_price=Decimal("27.00"),
        vat_rate=Decimal("5.50"),
        unit="kg",
        stock=None,
        category=fromagerie,
        labels=["local", "handmade"],
    )
    ProductFactory(
        merchant=owner.shop,
        sku="T-2",
        title="-20 % sur le cabécou",
        price=Decimal("0"),
        stock=0,
        status="draft",
        published_at=None,
        vat_rate=Decimal("20.00"),
    )
    ProductFactory(
        merchant=owner.shop,
        sku="T-3",
        title="Vieux stock",
        status="archived",
        unit="100g",
        vat_rate=Decimal("2.10"),
    )
    ProductFactory(
        merchant=owner.shop,
        sku="T-4",
        title="Café",
        unit="litre",
        vat_rate=Decimal("10.00"),
        category=fromagerie.parent,
    )
    before = {p.pk: (p.updated_at, p.slug) for p in Product.objects.all()}

    exported = b"".join(
        services.products_export(actor=owner, merchant=owner.shop, include_archived=True)
    )
    job = services.import_job_create(
        actor=owner, merchant=owner.shop, upload=SimpleUploadedFile("export.csv", exported)
    )
    assert set(outcomes(job.preview).values()) == {"unchanged"}
    assert job.total_rows == 4
    job = services.import_job_confirm(actor=owner, job=job)
    assert (job.created_count, job.updated_count, job.error_count) == (0, 0, 0)
    assert job.report["unchanged_count"] == 4
    assert {p.pk: (p.updated_at, p.slug) for p in Product.objects.all()} == before
    again = b"".join(
        services.products_export(actor=owner, merchant=owner.shop, include_archived=True)
    )
    assert again == exported


@pytest.mark.django_db
def test_export_leaves_archived_products_out_unless_asked(owner):
    ProductFactory(merchant=owner.shop, sku="A", title="Actif")
    ProductFactory(merchant=owner.shop, sku="B", title="Archivé", status="archived")
    ProductFactory(sku="C", title="Chez le voisin")
    text = b"".join(services.products_export(actor=owner, merchant=owner.shop)).decode("utf-8-sig")
    lines = text.splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("A;Actif;;4,50;;5,5;pièce;;publié;;")
    text = b"".join(
        services.products_export(actor=owner, merchant=owner.shop, include_archived=True)
    ).decode("utf-8-sig")
    assert len(text.splitlines()) == 3


@pytest.mark.django_db
def test_the_documented_example_file_imports_without_error(owner):
    doc = (Path(settings.BASE_DIR) / "docs" / "mon-commerce-import-export.md").read_text()
    example = re.search(r"```csv\n(.*?)```", doc, re.DOTALL).group(1)
    job = services.import_job_create(
        actor=owner, merchant=owner.shop, upload=SimpleUploadedFile("exemple.csv", example.encode())
    )
    assert set(outcomes(job.preview).values()) == {"created"}, job.preview
    services.import_job_confirm(actor=owner, job=job)
    miel = owner.shop.products.get(sku="MIEL-01")
    assert (miel.compare_at_price, miel.labels) == (Decimal("11.00"), ["local", "organic"])


# --- The Celery task ----------------------------------------------------------------------


def many_rows(count):
    return [
        [f"R{n:04}", f"Produit {n}", "1,50", "5,5", "pièce", str(n), "", "", ""]
        for n in range(count)
    ]


@pytest.mark.django_db
def test_a_large_file_is_queued_after_commit_and_the_task_records_progress(
    owner, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(imports, "SYNC_MAX_ROWS", 5)
    monkeypatch.setattr(imports, "CHUNK_ROWS", 10)
    queued = []
    monkeypatch.setattr(apply_import_job, "delay", lambda *args: queued.append(args))
    job = upload(owner, many_rows(25))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.import_job_confirm(actor=owner, job=job, language="fr")
    assert job.status == ImportJob.Status.QUEUED
    assert not Product.objects.exists()
    assert len(callbacks) == 1
    callbacks[0]()
    assert queued == [(job.pk, "fr")]

    with CaptureQueriesContext(connection) as queries:
        assert apply_import_job(job.pk, "fr") == "done"
    progress = [
        int(match.group(1))
        for query in queries.captured_queries
        if (
            match := re.search(
                r'UPDATE "catalog_importjob" SET "processed_rows" = (\d+)', query["sql"]
            )
        )
    ]
    assert progress == [10, 20, 25]
    # Each chunk is written in one INSERT (its rows fall back to one savepoint each only
    # when the database refuses the chunk).
    inserts = [
        q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "catalog_product"')
    ]
    assert len(inserts) == 3
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.created_count, job.progress_percent) == (
        "done",
        25,
        25,
        100,
    )
    assert job.finished_at is not None
    assert owner.shop.products.count() == 25

    # Delivered twice: the second run finds the job done and leaves it alone.
    assert apply_import_job(job.pk, "fr") == "done"
    assert owner.shop.products.count() == 25


@pytest.mark.django_db
def test_the_task_leaves_a_job_that_is_not_queued_alone(owner):
    job = upload(owner, many_rows(3))
    assert apply_import_job(job.pk) == "previewed"
    assert not Product.objects.exists()
    assert apply_import_job(999_999) is None


@pytest.mark.django_db
def test_the_sweep_queues_again_confirmed_imports_whose_task_was_lost(owner, monkeypatch):
    queued = []
    monkeypatch.setattr(apply_import_job, "delay", lambda *args: queued.append(args))
    stale = upload(owner, many_rows(2))
    fresh = upload(owner, many_rows(2))
    waiting = upload(owner, many_rows(2))
    ImportJob.objects.filter(pk__in=[stale.pk, fresh.pk]).update(status="queued")
    ImportJob.objects.filter(pk__in=[stale.pk, waiting.pk]).update(
        created_at=timezone.now() - tasks.STALE_AFTER * 2
    )
    assert tasks.requeue_waiting_import_jobs() == 1
    assert queued == [(stale.pk,)]


@pytest.mark.django_db
def test_a_small_file_is_applied_in_the_request_without_queueing(
    owner, django_capture_on_commit_callbacks
):
    job = upload(owner, many_rows(3))
    with django_capture_on_commit_callbacks() as callbacks:
        job = services.import_job_confirm(actor=owner, job=job)
    assert callbacks == []
    assert job.status == ImportJob.Status.DONE


@pytest.mark.django_db
def test_an_unexpected_error_marks_the_job_failed_and_keeps_committed_chunks(owner, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    write_chunk = imports._write_chunk

    def failing_write_chunk(plans, shop):
        if any(plan.line == 5 for plan in plans):
            raise RuntimeError("boom")
        write_chunk(plans, shop)

    monkeypatch.setattr(imports, "_write_chunk", failing_write_chunk)
    job = services.import_job_confirm(actor=owner, job=upload(owner, many_rows(5)))
    assert job.status == ImportJob.Status.FAILED
    assert job.report["error"]
    assert job.processed_rows == 2
    assert owner.shop.products.count() == 2


# --- Pages --------------------------------------------------------------------------------


@pytest.fixture
def shop_client(client, owner):
    client.force_login(owner)
    return client


def url(owner, name, *args):
    return reverse(f"imports:{name}", args=[owner.shop.slug, *args])


@pytest.mark.django_db
def test_upload_shows_the_preview_with_each_rows_status(shop_client, owner):
    ProductFactory(merchant=owner.shop, sku="A1", title="Pain")
    file = csv_file(
        [["A1", "Pain", "2,50"], ["B2", "Brioche", "-1"], ["C3", "Chouquette", "0,40"]],
        header=["reference", "titre", "prix"],
    )
    response = shop_client.post(url(owner, "index"), {"file": file})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(owner, "job", job.pk)

    page = shop_client.get(response["Location"]).content.decode()
    assert re.search(r'class="import-row import-row--updated" data-line="2"', page)
    assert re.search(r'class="import-row import-row--error" data-line="3"', page)
    assert re.search(r'class="import-row import-row--created" data-line="4"', page)
    assert "Assurez-vous que cette valeur est supérieure ou égale à 0." in page
    assert url(owner, "confirm", job.pk) in page

    response = shop_client.post(url(owner, "confirm", job.pk))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "done"
    assert sorted(owner.shop.products.values_list("sku", flat=True)) == ["A1", "C3"]
    page = shop_client.get(url(owner, "job", job.pk)).content.decode()
    assert "import-row--error" in page
    assert "hx-trigger" not in page


@pytest.mark.django_db
def test_an_unusable_file_is_refused_on_the_form(shop_client, owner):
    file = SimpleUploadedFile("notes.csv", b"nom;couleur\nA;rouge\n")
    response = shop_client.post(url(owner, "index"), {"file": file})
    assert response.status_code == 400
    assert "« titre »" in plain(response.content.decode())
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_cancel_from_the_page(shop_client, owner):
    job = upload(owner, many_rows(2))
    response = shop_client.post(url(owner, "cancel", job.pk))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "cancelled"
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_another_shops_import_answers_404(shop_client, owner):
    job = ImportJobFactory(rows=[{"line": 2, "values": {"titre": "X", "prix": "1"}}], total_rows=1)
    assert shop_client.get(url(owner, "job", job.pk)).status_code == 404
    assert (
        shop_client.get(url(owner, "progress", job.pk), HTTP_HX_REQUEST="true").status_code == 404
    )
    assert shop_client.post(url(owner, "confirm", job.pk)).status_code == 404
    assert shop_client.post(url(owner, "cancel", job.pk)).status_code == 404
    job.refresh_from_db()
    assert job.status == "previewed"
    # Nor can anybody reach a shop they do not work in.
    other_shop_url = reverse("imports:job", args=[job.merchant.slug, job.pk])
    assert shop_client.get(other_shop_url).status_code == 404


@pytest.mark.django_db
def test_the_pages_need_a_log_in(client, owner):
    response = client.get(url(owner, "index"))
    assert response.status_code == 302
    assert "/compte/" in response["Location"]


@pytest.mark.django_db
def test_the_preview_and_report_pages_make_the_same_queries_for_10_or_200_rows(
    shop_client, owner, django_assert_num_queries
):
    small = upload(owner, many_rows(10))
    large = upload(owner, many_rows(200))
    counts = []
    for job in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = shop_client.get(url(owner, "job", job.pk))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    for job in (small, large):
        services.import_job_confirm(actor=owner, job=job)
    with django_assert_num_queries(counts[0]):
        shop_client.get(url(owner, "job", small.pk))
    with django_assert_num_queries(counts[0]):
        shop_client.get(url(owner, "job", large.pk))


@pytest.mark.django_db
def test_rows_are_paged_and_filtered_by_outcome(shop_client, owner):
    rows = many_rows(150)
    rows[120][2] = "gratuit"
    job = upload(owner, rows)
    page = shop_client.get(url(owner, "job", job.pk)).content.decode()
    assert page.count('class="import-row ') == 100
    page = shop_client.get(url(owner, "job", job.pk) + "?resultat=error").content.decode()
    assert page.count('class="import-row ') == 1
    assert 'data-line="122"' in page


@pytest.mark.django_db
def test_progress_block_polls_while_running_and_stops_with_the_report(shop_client, owner):
    job = upload(owner, many_rows(3))
    ImportJob.objects.filter(pk=job.pk).update(status="running", processed_rows=1)
    response = shop_client.get(url(owner, "progress", job.pk), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert (
        '<progress id="import-progress" class="import-progress" value="1" max="3">33 %</progress>'
        in html
    )
    assert "<html" not in html

    ImportJob.objects.filter(pk=job.pk).update(status="queued", processed_rows=0)
    apply_import_job(job.pk)
    html = shop_client.get(url(owner, "progress", job.pk), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in html
    assert html.count("import-row--created") == 3
    # Without htmx, the address leads to the import's page.
    assert shop_client.get(url(owner, "progress", job.pk)).status_code == 302


@pytest.mark.django_db
def test_export_download(shop_client, owner, django_assert_num_queries):
    ProductFactory(merchant=owner.shop, sku="A", title="Pain")
    response = shop_client.get(url(owner, "export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        rf'attachment; filename="produits-{owner.shop.slug}-\d{{4}}-\d{{2}}-\d{{2}}\.csv"',
        response["Content-Disposition"],
    )
    content = b"".join(response.streaming_content)
    assert content.startswith(codecs.BOM_UTF8 + b"reference;titre;")

    def queries_for_export():
        with CaptureQueriesContext(connection) as queries:
            b"".join(shop_client.get(url(owner, "export")).streaming_content)
        return len(queries)

    few = queries_for_export()
    ProductFactory.create_batch(120, merchant=owner.shop)
    assert queries_for_export() == few


@pytest.mark.django_db
def test_the_index_page_lists_the_form_the_export_and_recent_imports(shop_client, owner):
    job = upload(owner, many_rows(2))
    page = shop_client.get(url(owner, "index")).content.decode()
    assert 'type="file"' in page
    assert url(owner, "export") in page
    assert url(owner, "job", job.pk) in page
    assert "Alimentation › Fromagerie" in page
