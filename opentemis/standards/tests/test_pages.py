from django.urls import reverse

from opentemis.standards.services import load_builtin_frameworks


def test_teacher_reads_descriptors_without_verify_notes(world):
    frameworks = {fw.code: fw for fw in load_builtin_frameworks()}
    client = world.client_for(world.teacher_a1)
    listing = client.get(reverse("framework_list")).content.decode()
    assert "Quy định chuẩn nghề nghiệp giáo viên cơ sở giáo dục phổ thông" in listing
    page = client.get(reverse("framework_detail", args=[frameworks["TT14_2018_HTPT"].pk]))
    html = page.content.decode()
    assert "Đạo đức nghề nghiệp" in html
    assert "cần kiểm chứng" not in html.lower()


def test_officer_sees_to_verify_notes(world):
    frameworks = {fw.code: fw for fw in load_builtin_frameworks()}
    client = world.client_for(world.officer_a)
    html = client.get(
        reverse("framework_detail", args=[frameworks["TT14_2018_HTPT"].pk])
    ).content.decode()
    assert "cần kiểm chứng" in html.lower()
    tt20 = client.get(
        reverse("framework_detail", args=[frameworks["TT20_2018_GVPT"].pk])
    ).content.decode()
    # TT 20's only fact to verify: whether TT 29/2021 suspends criterion 3's qualification
    # requirement for it too.
    assert "cần kiểm chứng" in tt20.lower()
    assert "phạm vi ngưng hiệu lực còn cần kiểm chứng" in tt20
    assert "Thực hiện nghiêm túc các quy định về đạo đức nhà giáo" in tt20
