import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "model",
    [
        "orgs/unit",
        "orgs/schoolyear",
        "staff/person",
        "accounts/user",
        "accounts/auditevent",
        "standards/framework",
    ],
)
def test_admin_changelists_render(world, admin_client, model):
    app, name = model.split("/")
    response = admin_client.get(reverse(f"admin:{app}_{name}_changelist"))
    assert response.status_code == 200


def test_admin_person_change_page(world, admin_client):
    response = admin_client.get(reverse("admin:staff_person_change", args=[world.person_a1.pk]))
    assert response.status_code == 200
