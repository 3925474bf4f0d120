"""PDF documents with Vietnamese text (fpdf2 with an embedded Unicode font)."""

from pathlib import Path

from fpdf import FPDF

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT_REGULAR = FONTS_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONTS_DIR / "DejaVuSans-Bold.ttf"


def new_document(*, title: str) -> FPDF:
    """An A4 portrait document with DejaVu Sans as "dejavu" (regular and bold)."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.add_font("dejavu", "", str(FONT_REGULAR))
    pdf.add_font("dejavu", "B", str(FONT_BOLD))
    pdf.set_font("dejavu", size=11)
    pdf.set_title(title)
    pdf.set_creator("VssID Portal")
    pdf.set_auto_page_break(auto=True, margin=15)
    return pdf
