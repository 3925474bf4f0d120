"""The fast form renderer draws exactly what Django's widget templates draw."""

import datetime as dt

from django import forms
from django.forms.renderers import TemplatesSetting

import pytest

from declarations.forms import DeclarantForm, OfficeForm
from lookup.forms import FacilitySearchForm, InsuranceNumberLookupForm
from vssid_portal.forms_renderer import FastWidgetRenderer


class Everything(forms.Form):
    name = forms.CharField(max_length=20, required=True, initial='A "quoted" <name>')
    email = forms.EmailField(required=False)
    born = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), initial=dt.date(1990, 5, 15)
    )
    count = forms.IntegerField(disabled=True, initial=3)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), initial="x&y")
    hidden = forms.CharField(widget=forms.HiddenInput, initial="h")
    choice = forms.ChoiceField(
        choices=[("", "—"), ("a", "Ấn <b>"), ("Nhóm", [("b", "Bê"), ("c", "Xê & co")])],
        initial="b",
    )
    many = forms.MultipleChoiceField(choices=[("1", "Một"), ("2", "Hai")], initial=["1", "2"])


def rendered(form_class, renderer, **kwargs) -> str:
    form = form_class(renderer=renderer, **kwargs)
    # A captcha draws a new challenge each time: not comparable.
    return "\n".join(str(field) for field in form if "captcha" not in field.name)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "form_class, kwargs",
    [
        (Everything, {}),
        (Everything, {"data": {"name": "", "choice": "zz", "many": ["2"]}}),
        (FacilitySearchForm, {"data": {"q": "bệnh viện", "province": "79", "level": "district"}}),
        (InsuranceNumberLookupForm, {}),
        (DeclarantForm, {}),
        (OfficeForm, {}),
    ],
)
def test_fast_renderer_draws_the_same_html_as_the_templates(form_class, kwargs):
    assert rendered(form_class, FastWidgetRenderer(), **kwargs) == rendered(
        form_class, TemplatesSetting(), **kwargs
    )
