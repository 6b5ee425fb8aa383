"""Forms of the CSV import and export page of « Mon commerce »."""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from catalog import csv_format


class ImportUploadForm(forms.Form):
    """The shopkeeper's CSV file. Its content is checked by the import service; only its
    size is checked here, so that an oversized file is refused before it is read."""

    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "From your spreadsheet: « CSV UTF-8 » or « CSV (séparateur : point-virgule) ». "
            "At most 5 MB and 10,000 products."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > csv_format.MAX_BYTES:
            raise csv_format.too_large(upload.size)
        return upload


class ExportForm(forms.Form):
    include_archived = forms.BooleanField(label=_("Include archived products"), required=False)
