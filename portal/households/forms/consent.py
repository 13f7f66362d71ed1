"""The consent form with its optional scan, and the check of the scan."""

from __future__ import annotations

import io

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.core import clock
from portal.core.refusals import Refused
from portal.listings.photos import process_photo

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"

# The same words as models.CONSENT_SCOPE, so the default text is offered in the user's language.
DEFAULT_SCOPE = _l("profile visible to registered landlords; name revealed at a viewing")


class ConsentForm(FlaskForm):
    """The household's written consent; the optional scan is checked by its content, never by
    its name, and kept in ``document`` as ``(bytes, content type)`` once valid."""

    given_on = DateField(
        _l("Consent given on"),
        default=clock.today,
        validators=[InputRequired(_l("Please enter the date the consent was signed."))],
    )
    expires_on = DateField(
        _l("Consent expires on"),
        description=_l("Empty: six months after the date it was given."),
        validators=[Optional()],
    )
    scope = TextAreaField(
        _l("Scope"),
        default=DEFAULT_SCOPE,
        description=_l("What the household agreed to, as on the signed form."),
        validators=[
            InputRequired(_l("Please describe the scope of the consent.")),
            Length(max=300, message=_l("Please shorten the scope to at most 300 characters.")),
        ],
    )
    shares_payment_status = BooleanField(
        _l("The landlord may learn whether rent is paid directly and the deposit/shares status"),
        description=_l(
            "Only if the signed form says so. Nothing else of the household's benefits is shown."
        ),
        default=False,
    )
    document = FileField(
        _l("Scan of the signed form (optional)"),
        description=_l("PDF or image (JPEG, PNG, WebP, HEIC), at most 10 MB."),
        render_kw={"accept": "application/pdf,image/jpeg,image/png,image/webp,image/heic,.heic"},
    )

    checked_document: tuple[bytes, str] | None = None

    def validate_given_on(self, field) -> None:
        if field.data and field.data > clock.today():
            raise ValidationError(_l("The consent cannot be dated in the future."))

    def validate_expires_on(self, field) -> None:
        if field.data is None:
            return
        if self.given_on.data and field.data <= self.given_on.data:
            raise ValidationError(_l("The expiry date must be after the date it was given."))
        if field.data < clock.today():
            raise ValidationError(_l("This consent would already have expired."))

    def validate_document(self, field) -> None:
        self.checked_document = None
        if not field.data:
            return
        self.checked_document = check_document(field.data.stream)


def check_document(stream) -> tuple[bytes, str]:
    """A consent scan as ``(bytes to store, content type)``: a PDF (by its magic bytes) kept
    as it is, or an image decoded and re-encoded without metadata. Raises ValidationError."""
    data = stream.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ValidationError(_l("The file is too large. Please upload at most 10 MB."))
    if data.startswith(PDF_MAGIC):
        return data, "application/pdf"
    try:
        processed = process_photo(io.BytesIO(data), max_bytes=MAX_DOCUMENT_BYTES)
    except Refused as exc:
        if exc.code == "not_image":
            raise ValidationError(
                _l(
                    "This file is neither a PDF nor an image. "
                    "Please upload the scan as PDF or JPEG."
                )
            ) from None
        raise ValidationError(
            _l("This image could not be used. Please scan the form again, as PDF or JPEG.")
        ) from None
    # The widest variant (up to 2048 px) keeps a scanned A4 page readable.
    return processed.variants[-1].data, processed.mime_type
