"""Who may use the certificates app's routes (core/route_policy.py).

Kinds (tests/world_certificates.py): ``certificate`` is teacher A1's module certificate of the
shared course, issued by province A (its OWNER is teacher A1; ``officer_a``, an officer of the
issuer, reads, re-issues and revokes it); ``certificate.code`` is its code;
``certificates.issuer`` is province A as an issuer and ``certificates.programme`` a programme it
certifies. Outsiders (an officer of province B, the principal of a sibling school, a colleague)
neither hold nor issue it: 404.
"""

from opentemis.accounts.roles import Perm
from opentemis.core.route_policy import OBJECT, PERM, PUBLIC, SIGNED_IN, Actor, RoutePolicy

_VERIFY = "anyone holding a certificate checks it by its code or QR code (masked, minimal)"
HOLDER = OBJECT("certificate", actor=Actor.OWNER)
OFFICER = OBJECT("certificate", actor=Actor.OFFICER, perm=Perm.MANAGE_CERTIFICATES)
ISSUER = OBJECT("certificates.issuer", actor=Actor.OFFICER, perm=Perm.MANAGE_CERTIFICATES)
OFFICERS = PERM(Perm.MANAGE_CERTIFICATES, actor=Actor.OFFICER, denied=404)

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "certificates_mine": SIGNED_IN,
    "certificates_pdf": HOLDER,
    "certificates_badge": HOLDER,
    "certificates_verify": PUBLIC(_VERIFY),
    "certificates_verify_code": PUBLIC(_VERIFY).taking(code="certificate.code"),
    "certificates_issued": OFFICERS.narrowed_by("unit"),
    "certificates_detail": OFFICER,
    "certificates_revoke": OFFICER,
    "certificates_reissue": OFFICER,
    "certificates_unit_zip": OBJECT(
        "unit.school", actor=Actor.OFFICER, perm=Perm.MANAGE_CERTIFICATES
    ),
    "certificates_unit_issuer": OBJECT(
        "unit.province", actor=Actor.OFFICER, perm=Perm.MANAGE_CERTIFICATES
    ),
    "certificates_course_issue": OBJECT(
        "course", actor=Actor.OFFICER, perm=Perm.MANAGE_CERTIFICATES
    ),
    "certificates_issuers": OFFICERS,
    "certificates_issuer": ISSUER,
    "certificates_issuer_sample": ISSUER,
    "certificates_programme_add": ISSUER,
    "certificates_programme": OBJECT(
        "certificates.programme", actor=Actor.OFFICER, perm=Perm.MANAGE_CERTIFICATES
    ),
    "api:certificates-mine": SIGNED_IN,
    "api:certificates-pdf": HOLDER,
    "api:certificates-verify": PUBLIC(_VERIFY).taking(code="certificate.code"),
}
