import datetime as dt

import factory

from declarations.models import Declaration


class DeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Declaration

    full_name = "Nguyễn Văn An"
    insurance_number = factory.Sequence(lambda n: f"79{n:08d}")
    date_of_birth = dt.date(1990, 5, 15)
    id_number = "079090001234"
    contact_address = "12 Đường số 3, Phường 9, Quận 4"
    contact_person = "Nguyễn Văn An"
    phone = "+84912345678"
    submission_mode = Declaration.SubmissionMode.AT_OFFICE
    submission_key = factory.Sequence(lambda n: f"test-key-{n}")
    portrait = factory.django.FileField(filename="a.jpg")
    id_front = factory.django.FileField(filename="b.jpg")
    id_back = factory.django.FileField(filename="c.jpg")

    class Params:
        rejected = factory.Trait(status="rejected", reject_reason="Ảnh mặt trước bị mờ.")
        approved = factory.Trait(status="approved")
        received = factory.Trait(status="received")
