"""REST API of certificates, under ``/api/v1/certificates/`` (issue 14 item 5): the same
selectors as the pages.

* ``mine/``: GET the caller's own certificates;
* ``<pk>/pdf/``: GET a certificate's PDF (its holder, or an officer who reads it);
* ``verify/<code>/``: GET, **without authentication**, what the public page says (the holder's
  name masked, what, when, who issued it, the state); 404 for an unknown code, 429 past the
  misses allowed per address.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opentemis.accounts.types import request_actor
from opentemis.certificates import codes, documents, selectors
from opentemis.certificates.models import Certificate
from opentemis.core.api import API_PERMISSIONS
from opentemis.core.client_ip import client_ip
from opentemis.core.http import file_response

R404 = OpenApiResponse(description=gettext_lazy("Missing, or not within your reach."))


class CertificateSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    code = serializers.SerializerMethodField()
    kind = serializers.CharField()
    status = serializers.CharField()
    title = serializers.SerializerMethodField()
    hours = serializers.SerializerMethodField()
    issuer = serializers.SerializerMethodField()
    issued_at = serializers.DateTimeField()
    pdf_url = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()

    def get_code(self, obj: Certificate) -> str:
        return codes.printed(obj.code)

    def get_title(self, obj: Certificate) -> str:
        return str(obj.snapshot.get("title", ""))

    def get_hours(self, obj: Certificate) -> str:
        return str(obj.snapshot.get("hours", ""))

    def get_issuer(self, obj: Certificate) -> str:
        return str(obj.snapshot.get("issuer_name", ""))

    def get_pdf_url(self, obj: Certificate) -> str:
        return reverse("certificates_pdf", args=[obj.pk])

    def get_verify_url(self, obj: Certificate) -> str:
        return reverse("certificates_verify_code", args=[obj.code])


class VerificationSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    kind = serializers.CharField()
    holder = serializers.CharField(help_text=gettext_lazy("Family name, then initials."))
    title = serializers.CharField()
    hours = serializers.CharField()
    issued_on = serializers.DateField(allow_null=True)
    issuer = serializers.CharField()
    status = serializers.CharField(help_text=gettext_lazy("valid, revoked or replaced."))
    ended_on = serializers.DateField(allow_null=True)


class MineView(APIView):
    permission_classes = API_PERMISSIONS

    @extend_schema(
        operation_id="certificates_mine", responses={200: CertificateSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        rows = selectors.my_certificates(request_actor(request))
        return Response(CertificateSerializer(rows, many=True).data)


class PdfView(APIView):
    permission_classes = API_PERMISSIONS

    @extend_schema(
        operation_id="certificates_pdf",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: R404},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        certificate = selectors.certificate_for_reader(request_actor(request), pk)
        return file_response(
            documents.certificate_pdf(certificate),
            filename=documents.filename(certificate),
            content_type="application/pdf",
        )


class VerifyView(APIView):
    # Public: anyone holding a certificate's code may check it (the public page's content).
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="certificates_verify",
        auth=[],
        responses={200: VerificationSerializer, 404: R404, 429: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, code: str) -> Response:
        address = client_ip(request._request) or "-"
        headers = {"Cache-Control": "private, no-cache"}
        if selectors.too_many_misses(address):
            return Response({"detail": "too many unknown codes"}, status=429, headers=headers)
        certificate = selectors.lookup(code[:40])
        if certificate is None:
            selectors.count_miss(address)
            return Response({"detail": "unknown code"}, status=404, headers=headers)
        return Response(selectors.verification(certificate).as_json(), headers=headers)
