"""A certificate as documents: its PDF (``pdf.render`` with the issuer's look), its file name,
and its Open Badges 3.0 credential (JSON-LD, **unsigned**: an ``AchievementCredential`` whose
proof is the public verification page, not a cryptographic signature)."""

from __future__ import annotations

from typing import Any

from opentemis.certificates import codes, pdf
from opentemis.certificates.models import Certificate, CertificateKind, Issuer
from opentemis.certificates.services import verification_url
from opentemis.evaluations.printing.official_forms import ascii_name

# (issuer pk, version) -> its look: images read from storage once per process and version.
_LOOKS: dict[tuple[int, int], pdf.Look] = {}


def _read(field: Any) -> bytes:
    if not field:
        return b""
    try:
        with field.open("rb") as handle:
            return bytes(handle.read())
    except OSError:
        return b""


def look_for(issuer: Issuer) -> pdf.Look:
    key = (issuer.pk, issuer.version)
    found = _LOOKS.get(key)
    if found is None:
        found = pdf.Look(
            accent=pdf.rgb(issuer.accent_colour),
            logo=_read(issuer.logo),
            signature=_read(issuer.signature),
        )
        if len(_LOOKS) > 200:
            _LOOKS.clear()
        _LOOKS[key] = found
    return found


def certificate_pdf(certificate: Certificate, issuer: Issuer | None = None) -> bytes:
    return pdf.render(
        certificate.snapshot,
        kind=certificate.kind,
        code=certificate.code,
        url=verification_url(certificate.code),
        look=look_for(issuer or certificate.issuer),
    )


def filename(certificate: Certificate) -> str:
    """An ASCII file name: the kind, the holder, the course code and the certificate's code."""
    prefix = "chung-nhan" if certificate.kind == CertificateKind.MODULE else "chung-chi"
    name = ascii_name(str(certificate.snapshot.get("holder_name", "")))
    course = ascii_name(str(certificate.snapshot.get("course_code", "")))
    return f"{prefix}_{name}_{course}_{certificate.code}.pdf"


def open_badge(certificate: Certificate) -> dict[str, Any]:
    """The certificate as an Open Badges 3.0 ``AchievementCredential`` (unsigned JSON-LD)."""
    snap = certificate.snapshot
    url = verification_url(certificate.code)
    base = url.split("/certificates/")[0]
    issuer_id = f"{base}/certificates/issuers/{certificate.issuer_id}"
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": str(snap.get("title", "")),
        "issuer": {
            "id": issuer_id,
            "type": ["Profile"],
            "name": str(snap.get("issuer_name", "")),
        },
        "validFrom": certificate.issued_at.isoformat(),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": str(snap.get("holder_name", "")),
            "achievement": {
                "id": f"{issuer_id}/achievements/{snap.get('course_code', '')}",
                "type": ["Achievement"],
                "achievementType": "Certificate"
                if certificate.kind == CertificateKind.PROGRAMME
                else "CourseCompletion",
                "name": str(snap.get("title", "")),
                "description": str(
                    snap.get(
                        "programme_subtitle"
                        if certificate.kind == CertificateKind.PROGRAMME
                        else "module_subtitle",
                        "",
                    )
                ),
                "criteria": {"narrative": str(snap.get("body_text", ""))},
                "humanCode": str(snap.get("course_code", "")),
            },
            "result": [{"type": ["Result"], "value": f"{snap.get('hours', '')} tiết"}],
        },
        "credentialStatus": {"id": url, "type": "VerificationPage", "status": certificate.status},
        "evidence": [{"id": url, "type": ["Evidence"], "name": codes.printed(certificate.code)}],
    }
