"""The CSV file format of a shop's products: reading a shopkeeper's file into rows of text,
turning cells into values, and writing products back out.

What French spreadsheets write is accepted: UTF-8 (with or without the byte-order mark that
Excel adds) or Windows-1252, cells separated by semicolons (French Excel) or commas, quoted
cells, decimal commas, « 12,50 € ». Headers are matched whatever their case and accents
(« Référence », « Prix barré », « TVA (%) »). What Halle writes is what French Excel opens
correctly: UTF-8 with a byte-order mark, semicolons, decimal commas.

This module knows nothing of the database: categories are resolved by the import service.
See docs/mon-commerce-import-export.md for the shopkeeper's documentation.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The columns, in the order Halle writes them. Keys are the headers Halle writes.
COLUMNS = (
    "reference",
    "titre",
    "description",
    "prix",
    "prix_barre",
    "tva",
    "unite",
    "stock",
    "statut",
    "categorie",
    "labels",
)

# Other headers a shopkeeper's spreadsheet may carry for the same column (normalised: lower
# case, no accents, words joined by "_"). English headers are accepted too.
HEADER_ALIASES = {
    "reference": ("ref", "sku", "reference_sku", "code", "code_article"),
    "titre": ("title", "nom", "nom_du_produit", "produit", "designation", "libelle"),
    "description": ("descriptif",),
    "prix": ("price", "prix_ttc", "prix_de_vente", "prix_eur", "prix_ttc_eur"),
    "prix_barre": ("ancien_prix", "compare_at_price", "prix_avant_remise", "prix_barre_eur"),
    "tva": ("taux_tva", "taux_de_tva", "vat", "vat_rate"),
    "unite": ("unit", "vendu_par", "unite_de_vente"),
    "stock": ("quantite", "qte", "quantity"),
    "statut": ("status", "etat"),
    "categorie": ("category", "rayon"),
    "labels": ("label",),
}

# A file needs these to create products, or a « reference » column to update existing ones.
COLUMNS_TO_CREATE = ("titre", "prix")

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000

# Names written in the file for the model's values: French, whatever the interface language,
# so that a file means the same thing for everybody.
UNIT_NAMES = {"piece": "pièce", "kg": "kg", "100g": "100 g", "litre": "litre", "lot": "lot"}
UNIT_ALIASES = {
    "piece": ("pce", "pc", "pcs", "unite", "u", "unit"),
    "kg": ("kilo", "kilos", "kilogramme", "kilogrammes", "kilogram"),
    "100g": ("100_g", "100_grammes", "100gr"),
    "litre": ("l", "litres", "liter"),
    "lot": ("lots", "batch"),
}
STATUS_NAMES = {"draft": "brouillon", "published": "publié", "archived": "archivé"}
STATUS_ALIASES = {
    "draft": ("brouillons", "draft"),
    "published": ("publiee", "publie_e", "en_ligne", "published"),
    "archived": ("archivee", "archive_e", "archived"),
}
LABEL_NAMES = {
    "handmade": "Fait main",
    "local": "Produit local",
    "organic": "Bio",
    "seasonal": "De saison",
    "second_hand": "Seconde main",
    "made_in_france": "Fabriqué en France",
    "zero_waste": "Zéro déchet",
}
LABEL_ALIASES = {
    "handmade": ("handmade", "artisanal"),
    "local": ("local", "local_produce"),
    "organic": ("organic", "biologique", "ab", "agriculture_biologique"),
    "seasonal": ("seasonal", "saison"),
    "second_hand": ("second_hand", "occasion", "d_occasion"),
    "made_in_france": ("made_in_france", "fabrication_francaise"),
    "zero_waste": ("zero_waste",),
}
VAT_RATES = (Decimal("20.00"), Decimal("10.00"), Decimal("5.50"), Decimal("2.10"))

# Cells starting with these are formulas to a spreadsheet: Halle prefixes them with a quote
# when writing (so that opening an export never runs a formula) and strips it when reading.
FORMULA_STARTS = ("=", "+", "-", "@")


def normalise(text: str) -> str:
    """``"Prix barré (€)"`` → ``"prix_barre"``: lower case, no accents, words joined by _."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


def _lookup(names: dict[str, str], aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    table = {normalise(name): value for value, name in names.items()}
    table.update({normalise(value): value for value in names})
    for value, others in aliases.items():
        table.update({normalise(other): value for other in others})
    return table


_HEADERS = _lookup({key: key for key in COLUMNS}, HEADER_ALIASES)
_UNITS = _lookup(UNIT_NAMES, UNIT_ALIASES)
_STATUSES = _lookup(STATUS_NAMES, STATUS_ALIASES)
_LABELS = _lookup(LABEL_NAMES, LABEL_ALIASES)


# --- Reading ------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of products: ``values`` maps the known columns present in the file to the
    text of their cell (stripped). ``line`` is the spreadsheet's row number (the header is
    line 1), which is what a shopkeeper sees in Excel."""

    line: int
    values: dict[str, str]


@dataclass
class ParsedFile:
    columns: list[str]
    rows: list[Row]
    ignored_columns: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str = ";"


def decode(data: bytes) -> tuple[str, str]:
    """The text of the file and the name of its encoding.

    UTF-8 is tried first (with or without a byte-order mark): a Windows-1252 file with
    accents is almost never valid UTF-8, so the fallback is safe. UTF-16 (Excel's
    « Texte Unicode ») is recognised by its byte-order mark.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        raise ValidationError(
            _(
                "The file's characters could not be read. Save it as « CSV UTF-8 » or "
                "« CSV (séparateur : point-virgule) » from your spreadsheet."
            ),
            code="encoding",
        ) from None


def sniff_delimiter(header_line: str) -> str:
    """The separator of the header line: whichever of ``;``, ``,`` and tab it holds most of,
    outside quotes (a semicolon wins a tie: it is what French Excel writes).

    Counting is used rather than ``csv.Sniffer``, which guesses from several lines and can
    pick a character of the data (a comma in « 12,50 ») on a one-line sample.
    """
    counts = {";": 0, ",": 0, "\t": 0}
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return max(counts, key=lambda d: (counts[d], d == ";"))


def read(data: bytes) -> ParsedFile:
    """Read a shopkeeper's CSV file into rows of text; raise ValidationError (in the active
    language, for the upload form) when the file as a whole cannot be used."""
    if len(data) > MAX_BYTES:
        raise too_large(len(data))
    text, encoding = decode(data)
    if not text.strip():
        raise ValidationError(_("The file is empty."), code="empty")
    header_line = text.lstrip("\r\n").splitlines()[0]
    delimiter = sniff_delimiter(header_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        header_line_number = 1
        while not any(cell.strip() for cell in header):  # blank lines above the header
            header = next(reader)
            header_line_number += 1
    except StopIteration:
        raise ValidationError(_("The file is empty."), code="empty") from None
    except csv.Error as error:
        raise _unreadable(error) from None
    positions, columns, ignored = _match_header(header)
    rows: list[Row] = []
    try:
        for line, cells in enumerate(reader, start=header_line_number + 1):
            if not any(cell.strip() for cell in cells):
                continue  # spreadsheets often end with empty lines of separators
            if len(rows) == MAX_ROWS:
                raise ValidationError(
                    _("The file has more than %(max)s products. Split it into several files.")
                    % {"max": f"{MAX_ROWS:,}".replace(",", "\u202f")},
                    code="too_many_rows",
                )
            values = {
                key: _unquote_formula(cells[index].strip()) if index < len(cells) else ""
                for key, index in positions.items()
            }
            rows.append(Row(line=line, values=values))
    except csv.Error as error:
        raise _unreadable(error) from None
    if not rows:
        raise ValidationError(_("The file has a header line but no products."), code="no_rows")
    return ParsedFile(
        columns=columns,
        rows=rows,
        ignored_columns=ignored,
        encoding=encoding,
        delimiter=delimiter,
    )


def _match_header(header: list[str]) -> tuple[dict[str, int], list[str], list[str]]:
    """Which cell of each line holds which column; the unknown headers; a clear error when
    a column is there twice or the file cannot create nor update anything."""
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for index, title in enumerate(header):
        key = _HEADERS.get(normalise(title.lstrip("\ufeff")))
        if key is None:
            if title.strip():
                ignored.append(title.strip())
            continue
        if key in positions:
            raise ValidationError(
                _("The column « %(column)s » appears twice in the header line.") % {"column": key},
                code="duplicate_column",
            )
        positions[key] = index
    if "reference" not in positions and not all(c in positions for c in COLUMNS_TO_CREATE):
        found = ", ".join(f"« {title.strip()} »" for title in header if title.strip())
        raise ValidationError(
            _(
                "Columns are missing: the file needs a « titre » and a « prix » column "
                "(or a « reference » column to update existing products). Columns found: "
                "%(found)s. Check that the first line of the file holds the column names."
            )
            % {"found": found or "—"},
            code="missing_columns",
        )
    columns = [key for key in COLUMNS if key in positions]
    return positions, columns, ignored


def too_large(size: int) -> ValidationError:
    """The error for a file of ``size`` bytes, over :data:`MAX_BYTES`."""
    return ValidationError(
        _("The file is too large (%(size)s MB): at most %(max)s MB. Split it into several files.")
        % {"size": _megabytes(size), "max": _megabytes(MAX_BYTES)},
        code="too_large",
    )


def _unreadable(error: csv.Error) -> ValidationError:
    return ValidationError(
        _("The file could not be read as CSV (%(error)s).") % {"error": error}, code="csv"
    )


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",")


def _unquote_formula(text: str) -> str:
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS:
        return text[1:]
    return text


# --- Cells → values (raise ValidationError with a message for the row) ---------------------


def parse_decimal(text: str) -> Decimal:
    """``"12,50"``, ``"12.50"``, ``"12,50 €"``, ``"1 234,50"`` → ``Decimal("12.50")``…"""
    cleaned = re.sub(r"[\s\u00a0\u202f€]|eur$", "", text.strip().lower())
    if "," in cleaned and "." in cleaned:
        # The last separator is the decimal one: « 1.234,50 » or « 1,234.50 ».
        thousands = "." if cleaned.rfind(",") > cleaned.rfind(".") else ","
        cleaned = cleaned.replace(thousands, "")
    cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", cleaned):
        raise ValidationError(
            _("« %(value)s » is not an amount (write it like 12,50).") % {"value": text},
            code="invalid_decimal",
        )
    return value


def parse_vat_rate(text: str) -> Decimal:
    try:
        rate = parse_decimal(text.replace("%", ""))
    except ValidationError:
        rate = Decimal("-1")
    if rate not in VAT_RATES:
        raise ValidationError(
            _("« %(value)s » is not a French VAT rate. Accepted values: %(accepted)s.")
            % {"value": text, "accepted": ", ".join(format_vat_rate(r) for r in VAT_RATES)},
            code="invalid_vat",
        )
    return rate.quantize(Decimal("0.01"))


def parse_stock(text: str) -> int | None:
    """Empty means the shop does not count units; otherwise a whole number (« 12 », « 12,0 »)."""
    if not text:
        return None
    try:
        value = parse_decimal(text)
    except ValidationError:
        value = Decimal("0.5")
    if value != value.to_integral_value():
        raise ValidationError(
            _("« %(value)s » is not a whole number of units.") % {"value": text},
            code="invalid_stock",
        )
    return int(value)


def parse_unit(text: str) -> str:
    return _choice(text, _UNITS, UNIT_NAMES.values())


def parse_status(text: str) -> str:
    return _choice(text, _STATUSES, STATUS_NAMES.values())


def parse_labels(text: str) -> list[str]:
    """« Bio, Fait main » or « Bio|Fait main » → ``["organic", "handmade"]``."""
    labels: list[str] = []
    for name in re.split(r"[,|;]", text):
        if name.strip():
            label = _choice(name, _LABELS, LABEL_NAMES.values())
            if label not in labels:
                labels.append(label)
    return labels


def _choice(text: str, table: dict[str, str], accepted: Iterable[str]) -> str:
    try:
        return table[normalise(text)]
    except KeyError:
        raise ValidationError(
            _("« %(value)s » is not known. Accepted values: %(accepted)s.")
            % {"value": text.strip(), "accepted": ", ".join(accepted)},
            code="invalid_choice",
        ) from None


def category_keys(text: str) -> tuple[str, ...]:
    """The forms under which a category cell is looked up: « Alimentation › Fromagerie »,
    « alimentation > fromagerie », « Fromagerie » or the slug « alimentation-fromagerie »
    all give ``("alimentation", "fromagerie")`` or ``("alimentation-fromagerie",)``."""
    return tuple(normalise(part) for part in re.split(r"[›>/]", text) if part.strip())


# --- Writing ------------------------------------------------------------------------------


def format_decimal(value: Decimal | None) -> str:
    """``Decimal("12.50")`` → ``"12,50"`` (what French Excel reads as a number)."""
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def format_vat_rate(value: Decimal) -> str:
    """``Decimal("5.50")`` → ``"5,5"``, ``Decimal("20.00")`` → ``"20"``."""
    return f"{value.normalize():f}".replace(".", ",")


def format_labels(labels: Iterable[str]) -> str:
    return ", ".join(LABEL_NAMES.get(label, label) for label in labels)


def _quote_formula(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


TEXT_COLUMNS = frozenset({"reference", "titre", "description", "categorie", "labels"})


def write(rows: Iterable[dict[str, str]]) -> Iterator[bytes]:
    """The product export file: :func:`write_table` with the columns of :data:`COLUMNS`,
    which ``rows`` map to their text."""
    return write_table(
        COLUMNS,
        ([row[c] for c in COLUMNS] for row in rows),
        text_columns={i for i, c in enumerate(COLUMNS) if c in TEXT_COLUMNS},
    )


def write_table(
    header: Iterable[str], rows: Iterable[Iterable[str]], *, text_columns: set[int] | None = None
) -> Iterator[bytes]:
    """A CSV file as spreadsheets in France open it, chunk by chunk: UTF-8 with a byte-order
    mark, ``;`` between cells, the header line first. Cells of ``text_columns`` (indexes;
    all when None) that a spreadsheet would take for a formula are quoted, so opening an
    export never runs one. Also used for the lists exported by the organisers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(list(header))
    yield codecs.BOM_UTF8 + _flush(buffer)
    for count, row in enumerate(rows, start=1):
        writer.writerow(
            [
                _quote_formula(cell) if text_columns is None or i in text_columns else cell
                for i, cell in enumerate(row)
            ]
        )
        if count % 200 == 0:
            yield _flush(buffer)
    yield _flush(buffer)


def _flush(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    return data
