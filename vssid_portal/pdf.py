"""PDF documents with Vietnamese text (fpdf2 with an embedded Unicode font)."""

from pathlib import Path

from fpdf import FPDF

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT_REGULAR = FONTS_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONTS_DIR / "DejaVuSans-Bold.ttf"


class _Document(FPDF):
    """An FPDF whose pages end with a footer line (a verifiable document's code)."""

    footer_text = ""

    def footer(self):
        if not self.footer_text:
            return
        self.set_y(-11)
        self.set_font("dejavu", "", 7.5)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)


def new_document(*, title: str, footer: str = "") -> FPDF:
    """An A4 portrait document with DejaVu Sans as "dejavu" (regular and bold).

    ``footer``, if given, is printed at the bottom of every page with the
    page number ("… · 1/2").
    """
    pdf = _Document(orientation="P", unit="mm", format="A4")
    pdf.footer_text = footer
    pdf.add_font("dejavu", "", str(FONT_REGULAR))
    pdf.add_font("dejavu", "B", str(FONT_BOLD))
    pdf.set_font("dejavu", size=11)
    pdf.set_title(title)
    pdf.set_creator("VssID Portal")
    pdf.set_auto_page_break(auto=True, margin=15)
    return pdf
