"""Console forms of the APNs app."""

from __future__ import annotations

from django import forms

MAX_UPLOAD_BYTES = 256 * 1024


class PushCertificateUploadForm(forms.Form):
    certificate = forms.FileField(
        help_text="The MDM push certificate from Apple (.pem), optionally with its key, or a "
        "PKCS#12 (.p12) file"
    )
    private_key = forms.FileField(
        required=False,
        help_text="PEM private key, if not in the file (not needed for a CSR generated here)",
    )
    password = forms.CharField(
        required=False, widget=forms.PasswordInput, help_text="PKCS#12 or key password"
    )
    force = forms.BooleanField(
        required=False,
        label="Accept a different topic",
        help_text="Only for a new certificate on purpose: every enrolled device must re-enroll",
    )

    def clean_certificate(self) -> bytes:
        return _read(self.cleaned_data["certificate"])

    def clean_private_key(self) -> bytes | None:
        upload = self.cleaned_data.get("private_key")
        return _read(upload) if upload else None


class VendorCertificateForm(forms.Form):
    certificate = forms.FileField(
        label="MDM vendor certificate",
        help_text="Your MDM CSR signing certificate from Apple's developer site (.cer or .pem, "
        "optionally with its key and chain), or a PKCS#12 (.p12) exported from Keychain",
    )
    private_key = forms.FileField(
        required=False, help_text="PEM private key, if not in the certificate file"
    )
    chain = forms.FileField(
        required=False,
        label="Apple chain",
        help_text="PEM of Apple's WWDR intermediate and Apple Inc. Root, if not in the file",
    )
    password = forms.CharField(
        required=False, widget=forms.PasswordInput, help_text="PKCS#12 or key password"
    )

    def clean_certificate(self) -> bytes:
        return _read(self.cleaned_data["certificate"])

    def clean_private_key(self) -> bytes | None:
        upload = self.cleaned_data.get("private_key")
        return _read(upload) if upload else None

    def clean_chain(self) -> bytes | None:
        upload = self.cleaned_data.get("chain")
        return _read(upload) if upload else None


class CsrForm(forms.Form):
    common_name = forms.CharField(max_length=64, help_text="Your organisation's name")
    email = forms.EmailField(required=False)


def _read(upload: object) -> bytes:
    size = getattr(upload, "size", 0) or 0
    if size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError("The file is too large for a certificate (256 KB at most).")
    data: bytes = upload.read()  # type: ignore[attr-defined]
    if not data:
        raise forms.ValidationError("The file is empty.")
    return data
