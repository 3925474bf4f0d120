"""A form renderer that draws the commonest widgets in Python.

Django renders every widget through templates, and a ``<select>`` includes
one template per ``<option>`` (plus one for its attributes): the province
select of the lookups (63 provinces) alone was about half of the time of
the mã số BHXH and facility search pages (``bench/run.py``, docs/
performance.md). This renderer produces the same HTML as Django's own
``select.html``, ``select_option.html`` and ``input.html`` for those
templates, and hands every other template (and any project override of
these, under ``templates/django/forms/``) to ``TemplatesSetting``.
"""

from django.forms.renderers import TemplatesSetting
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

_INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "email",
        "date",
        "number",
        "password",
        "search",
        "tel",
        "url",
        "hidden",
        "time",
        "datetime",
    )
}
_SELECT_TEMPLATE = "django/forms/widgets/select.html"


def _attrs(attrs: dict) -> str:
    """``attrs.html``: `` name="value"``; True as a bare name, False left out."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(" " + conditional_escape(name))
        else:
            parts.append(format_html(' {}="{}"', name, str(value)))
    return "".join(parts)


def _select(widget: dict) -> str:
    parts = [format_html('<select name="{}"', widget["name"]), _attrs(widget["attrs"]), ">"]
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in options:
            parts.append(
                format_html('\n  <option value="{}"', str(option["value"]))
                + _attrs(option["attrs"])
                + format_html(">{}</option>\n", option["label"])
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _input(widget: dict) -> str:
    html = format_html('<input type="{}" name="{}"', widget["type"], widget["name"])
    if widget["value"] is not None:
        html += format_html(' value="{}"', str(widget["value"]))
    return html + _attrs(widget["attrs"]) + ">"


class FastWidgetRenderer(TemplatesSetting):
    def __init__(self):
        super().__init__()
        self._overridden: dict[str, bool] = {}

    def _is_overridden(self, template_name: str) -> bool:
        """Whether a project template replaces Django's own (then it is used)."""
        if template_name not in self._overridden:
            try:
                origin = get_template(template_name).origin.name
            except TemplateDoesNotExist:
                origin = ""
            self._overridden[template_name] = "/django/forms/templates/" not in origin.replace(
                "\\", "/"
            )
        return self._overridden[template_name]

    def render(self, template_name, context, request=None):
        if template_name == _SELECT_TEMPLATE and not self._is_overridden(template_name):
            return mark_safe(_select(context["widget"]))  # noqa: S308 (parts escaped above)
        if (
            template_name in _INPUT_TEMPLATES
            and not self._is_overridden(template_name)
            and not self._is_overridden("django/forms/widgets/input.html")
        ):
            return mark_safe(_input(context["widget"]))  # noqa: S308 (parts escaped above)
        return super().render(template_name, context, request=request)
