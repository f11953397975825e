"""Console pages for push: the certificate (upload, CSR), bulk pushes and their progress."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apns import forms, services
from apns.models import PushBatch, PushCertificate, PushCertificateRequest
from mdm_server import roles


def _page(
    request: HttpRequest,
    *,
    upload_form: forms.PushCertificateUploadForm | None = None,
    csr_form: forms.CsrForm | None = None,
    vendor_form: forms.VendorCertificateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "section": "push",
        "status": services.certificate_status(),
        "alerts": services.dashboard_alerts(),
        "history": PushCertificate.objects.filter(is_active=False)[:10],
        "csrs": PushCertificateRequest.objects.all()[:10],
        "batches": PushBatch.objects.all()[:20],
        "pushable_count": services.pushable().count(),
        "upload_form": upload_form or forms.PushCertificateUploadForm(),
        "csr_form": csr_form or forms.CsrForm(),
        "vendor_form": vendor_form or forms.VendorCertificateForm(),
        "vendor": services.vendor_certificate(),
        "steps": services.setup_steps(),
    }
    return render(request, "apns/push.html", context, status=status)


@roles.console_view()
def push_home(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@roles.console_view(admin=True)
def upload_certificate(request: HttpRequest) -> HttpResponse:
    form = forms.PushCertificateUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            row = services.upload_push_certificate(
                data=form.cleaned_data["certificate"],
                key_pem=form.cleaned_data["private_key"],
                password=form.cleaned_data["password"] or None,
                force=form.cleaned_data["force"],
                actor=request.user,
            )
        except services.PushCertificateError as exc:
            form.add_error("certificate", str(exc))
        else:
            messages.success(
                request,
                f"Push certificate for {row.topic} is active until {row.not_after:%Y-%m-%d}.",
            )
            return redirect("apns-push")
    return _page(request, upload_form=form, status=400)


@require_POST
@roles.console_view(admin=True)
def create_csr(request: HttpRequest) -> HttpResponse:
    form = forms.CsrForm(request.POST)
    if form.is_valid():
        try:
            row = services.create_push_csr(
                common_name=form.cleaned_data["common_name"],
                email=form.cleaned_data["email"],
                actor=request.user,
            )
        except services.PushCertificateError as exc:
            form.add_error("common_name", str(exc))
        else:
            messages.success(request, "Certificate request created: download it below.")
            return redirect(f"/console/push/#csr-{row.pk}")
    return _page(request, csr_form=form, status=400)


@roles.console_view(admin=True)
def download_csr(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(PushCertificateRequest, pk=pk)
    response = HttpResponse(row.csr_pem, content_type="application/pkcs10")
    response["Content-Disposition"] = f'attachment; filename="mdm-push-{row.pk}.csr"'
    return response


@roles.console_view(admin=True)
def download_signed_request(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(PushCertificateRequest, pk=pk)
    try:
        data = services.signed_push_request(csr_id=row.pk, actor=request.user)
    except services.PushCertificateError as exc:
        messages.error(request, f"Cannot sign the request: {exc}.")
        return redirect("apns-push")
    response = HttpResponse(data, content_type="text/plain; charset=us-ascii")
    response["Content-Disposition"] = f'attachment; filename="mdm-push-{row.pk}-signed.plist.b64"'
    return response


@require_POST
@roles.console_view(admin=True)
def upload_vendor(request: HttpRequest) -> HttpResponse:
    form = forms.VendorCertificateForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            row = services.upload_vendor_certificate(
                data=form.cleaned_data["certificate"],
                key_pem=form.cleaned_data["private_key"],
                chain_pem=form.cleaned_data["chain"],
                password=form.cleaned_data["password"] or None,
                actor=request.user,
            )
        except services.PushCertificateError as exc:
            form.add_error("certificate", str(exc))
        else:
            messages.success(
                request,
                f"MDM vendor certificate {row.subject} kept until {row.not_after:%Y-%m-%d}: "
                "download the signed request of a CSR below.",
            )
            return redirect("apns-push")
    return _page(request, vendor_form=form, status=400)


@require_POST
@roles.console_view(admin=True)
def verify(request: HttpRequest) -> HttpResponse:
    try:
        result = services.verify_push_certificate(actor=request.user)
    except services.NoPushCertificate as exc:
        messages.error(request, f"{exc}.")
        return redirect("apns-push")
    (messages.success if result.ok else messages.error)(request, result.message)
    return redirect("apns-push")


@require_POST
@roles.console_view(admin=True)
def push_all(request: HttpRequest) -> HttpResponse:
    if services.active_certificate() is None:
        messages.error(request, "Upload a push certificate first.")
        return redirect("apns-push")
    result = services.push_all(actor=request.user)
    if result.batch is None:
        messages.warning(request, "No enrolled device can be pushed right now.")
    else:
        messages.success(request, f"Pushing {result.batch.total} enrollment(s).")
    return redirect("apns-push")


@roles.console_view()
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(PushBatch, pk=pk)
    return render(request, "apns/_batch.html", {"batch": batch})
