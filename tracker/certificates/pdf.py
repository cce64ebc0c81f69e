"""The PDF of a certificate, drawn with fpdf2 in the holder's language.

DejaVu Sans (vendored in ``fonts/`` with its licence) covers the Latin,
Cyrillic and Albanian letters of the program's names: "Kuçovë", "Đorđević",
"Скопје". fpdf2 embeds only the glyphs used, so a certificate is ~20 KB.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from tracker.i18n import current_locale, format_day
from tracker.translation import gettext as _

FONTS = Path(__file__).parent / "fonts"
FONT = "DejaVuSans"


@dataclass
class Layout:
    """What one certificate says, already translated."""

    heading: str
    holder_name: str
    affiliation: str
    statement: str
    details: list[str] = field(default_factory=list)
    issued: str = ""
    verification: list[str] = field(default_factory=list)
    title: str = ""  # the PDF's document title


def draw(layout: Layout) -> bytes:
    """An A4 landscape page with a border, centred text and the verification lines."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    # A long list of trainings flows onto a second page rather than off the first.
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(layout.title or layout.heading)
    pdf.set_author(_("Urban Partnership Program"))
    pdf.set_creator("UPP Tracker")
    pdf.set_lang(current_locale().replace("_", "-"))
    pdf.set_margins(25, 20, 25)
    pdf.add_page()
    pdf.set_draw_color(40, 70, 120)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, pdf.w - 26, pdf.h - 26)

    def line(text: str, size: float, style: str = "", gap: float = 2) -> None:
        pdf.set_font(FONT, style, size)
        pdf.multi_cell(
            0, size * 0.5, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.ln(gap)

    pdf.set_y(28)
    line(_("Urban Partnership Program").upper(), 11, gap=6)
    line(layout.heading, 28, "B", gap=10)
    line(_("This certifies that"), 13, gap=4)
    line(layout.holder_name, 24, "B", gap=3)
    if layout.affiliation:
        line(layout.affiliation, 12, gap=6)
    line(layout.statement, 13, gap=3)
    for detail in layout.details:
        line(detail, 11, gap=0.5)
    pdf.ln(6)
    if layout.issued:
        line(layout.issued, 11)
    pdf.set_y(max(pdf.get_y() + 4, pdf.h - 38))
    for text in layout.verification:
        line(text, 9, gap=0.5)
    return bytes(pdf.output())


def day_range(starts_on, ends_on) -> str:
    if starts_on == ends_on:
        return format_day(starts_on)
    return f"{format_day(starts_on)} – {format_day(ends_on)}"
