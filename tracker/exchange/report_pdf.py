"""Drawing primitives for the summary PDF: the shipped font, her text made printable, paragraphs.

Knows nothing about cramps. Text she typed goes through printable(): characters DejaVu Sans
lacks become "?", emoji it lacks and invisible marks are dropped, and nothing is ever read as
markup (fpdf2's markdown is off).
Writer.typed() cuts text to a number of lines and marks it as shortened.
"""

from __future__ import annotations

import re
import struct
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from tracker.care.language import N_, _

FONTS = Path(__file__).with_name("fonts")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
FONT = "DejaVu"
PAPER_SIZES = {"A4": "A4", "Letter": "Letter"}
PT_MM = 25.4 / 72  # millimetres per point
# The markers after text cut short, said in the PDF's language where they are printed (_()).
SHORTENED = N_(" … (shortened: full text in the CSV/JSON export)")
CUT_TO_FIT = N_(" … (shortened to fit the page)")
INK, MUTED, BLUE, WHITE = (31, 41, 51), (90, 102, 117), (0, 90, 150), (255, 255, 255)
RED, RED_FILL, CALM, CALM_FILL = (176, 30, 30), (253, 237, 235), (120, 160, 130), (238, 244, 240)
TILE_FILL, BANNER = (241, 245, 249), (33, 47, 61)


@cache
def glyphs() -> frozenset[int]:
    """The characters both shipped fonts can draw."""
    from fontTools.ttLib import TTFont

    maps = [set(TTFont(FONTS / f, lazy=True).getBestCmap()) for f in FONT_FILES.values()]
    return frozenset(set.intersection(*maps))


def printable(text: str) -> tuple[str, bool]:
    """Text the font can show: emoji and invisible marks dropped, other missing characters "?".

    Returns the text and whether any character was replaced.
    """
    kept, replaced, known = [], False, glyphs()
    for char in text.replace("\r\n", "\n").replace("\r", "\n"):
        kind = unicodedata.category(char)
        if char == "\n" or ord(char) in known and kind not in ("Cc", "Cf"):
            kept.append(char)
        elif char == "\t" or kind == "Zs":
            kept.append(" ")
        elif kind in ("So", "Sk", "Mn", "Me", "Cc", "Cf", "Cs", "Co", "Cn"):
            continue  # emoji, their modifiers and joiners, invisible marks: dropped cleanly
        else:
            kept.append("?")
            replaced = True
    cleaned = re.sub(r"[ ]{2,}", " ", "".join(kept))
    cleaned = re.sub(r"\n\s*\n+", "\n", cleaned)  # no runs of empty lines
    return "\n".join(line.strip() for line in cleaned.split("\n")).strip(), replaced


@dataclass(frozen=True)
class Para:
    """A paragraph: its text, type size (pt), weight, colour, indent (mm) and space after."""

    text: str
    size: float = 8.5
    bold: bool = False
    color: tuple[int, int, int] = INK
    indent: float = 0.0
    after: float = 0.8
    bullet: str = ""


REPLACED = N_("? marks characters this font lacks (exact text in the CSV/JSON export)")


class _Pdf(FPDF):
    footer_text = ""
    replaced = False  # set by a Writer: then the footer explains the "?"

    def footer(self) -> None:
        self.set_y(-9)
        self.set_font(FONT, "", 6.5)
        self.set_text_color(*MUTED)
        page = _("page {page} of {pages}").format(page=self.page_no(), pages="{nb}")  # fpdf2's
        parts = [self.footer_text, page, *([_(REPLACED)] if self.replaced else [])]  # alias
        self.cell(0, 4, " · ".join(parts), align="C")


def new_pdf(paper: str = "A4", footer: str = "") -> FPDF:
    """An empty document with the shipped fonts, the summary's margins and a footer line."""
    pdf = _Pdf(format=PAPER_SIZES[paper])
    for style, name in FONT_FILES.items():
        pdf.add_font(FONT, style, str(FONTS / name))
    pdf.set_margins(12, 10, 12)
    pdf.set_auto_page_break(True, margin=13)
    pdf.set_title(_("Leg cramps diary summary (self-reported)"))
    pdf.footer_text = footer
    pdf.set_creator("Cramp Journal")
    return pdf


def _line_height(size: float) -> float:
    return size * PT_MM * 1.28


def _bullet_width(p: Para) -> float:
    return 0.0 if not p.bullet else 3.0 if len(p.bullet) == 1 else 4.5


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG image in pixels, from its header."""
    return struct.unpack(">II", png[16:24])


class Writer:
    """Draws paragraphs and boxes onto a document; notes whether it shortened or replaced text."""

    def __init__(self, pdf: FPDF):
        self.pdf = pdf
        self.shortened = self.replaced = False

    def _style(self, p: Para) -> None:
        self.pdf.set_font(FONT, "B" if p.bold else "", p.size)
        self.pdf.set_text_color(*p.color)

    def _lines(self, text: str, width: float) -> list[str]:
        out = MethodReturnValue.LINES
        return self.pdf.multi_cell(width, 1, text, dry_run=True, output=out, align="L")

    def _bisect(self, text: str, fits: Callable[[str], bool], high: int) -> int:
        """The length of the longest start of text (at most high) that fits."""
        low = 0
        while low < high:
            mid = (low + high + 1) // 2
            low, high = (mid, high) if fits(text[:mid]) else (low, mid - 1)
        return low

    def _ending(self, line: str, width: float, marker: str) -> str:
        """The line cut (at a space when one is near) so that the marker fits after it."""
        width_of, room = self.pdf.get_string_width, width - 2 * self.pdf.c_margin  # as multi_cell
        keep = self._bisect(line, lambda s: width_of(s.rstrip() + marker) <= room, len(line))
        cut = line[:keep]
        if (space := cut.rfind(" ")) > keep - min(25, keep // 3):  # a word end, if one is near
            cut = cut[:space]
        return (cut.rstrip(" ,;:.-") + marker).strip()

    def typed(
        self,
        text: str | None,
        width: float,
        max_lines: int,
        size: float = 8.5,
        marker: str | None = None,
        prefix: str = "",
    ) -> str:
        """prefix + her text, printable, cut to max_lines at this size and marked if shortened
        (marker: by default SHORTENED, in the language being spoken).

        Only the start that could possibly fit is ever line-broken (fpdf2's line breaking is
        slow on long text): its width cannot exceed max_lines times the line width.
        """
        marker = _(SHORTENED) if marker is None else marker
        text, replaced = printable(text or "")
        self.replaced |= replaced
        self.pdf.replaced = self.replaced
        if not text or max_lines <= 0:
            self.shortened |= bool(text)
            return ""
        self.pdf.set_font(FONT, "", size)
        whole, room = prefix + text, max_lines * width
        narrowest = self.pdf.font_size / 4  # mm: no glyph that has a width is narrower
        most = self._bisect(
            whole,
            lambda s: self.pdf.get_string_width(s) <= room,
            min(len(whole), int(room / narrowest) + 1),
        )
        lines = self._lines(whole[:most], width)
        if most == len(whole) and len(lines) <= max_lines:
            return whole
        self.shortened = True
        kept, at = lines[: max_lines - 1], 0
        for line in kept:  # where the last line starts in the text
            found = whole.find(line, at)
            at = (found if found >= 0 else at) + len(line)
        rest = whole[at:].lstrip().replace("\n", " ")[: int(width / narrowest) + 1]
        return "\n".join([*kept, self._ending(rest, width, marker)])

    def height(self, paras: list[Para], width: float) -> float:
        """The height the paragraphs take at this width."""
        total = 0.0
        for p in paras:
            self._style(p)
            w = width - p.indent - _bullet_width(p)
            out = MethodReturnValue.HEIGHT
            total += self.pdf.multi_cell(w, _line_height(p.size), p.text, dry_run=True, output=out)
            total += p.after
        return total

    def write(self, paras: list[Para], x: float, width: float) -> None:
        """Draw the paragraphs from the current height at x."""
        for p in paras:
            self._style(p)
            left = x + p.indent
            if p.bullet:
                self.pdf.set_x(left)
                self.pdf.cell(_bullet_width(p), _line_height(p.size), p.bullet)
                left += _bullet_width(p)
            self.pdf.set_x(left)
            self.pdf.multi_cell(
                width - (left - x),
                _line_height(p.size),
                p.text,
                align="L",
                new_x=XPos.LEFT,
                new_y=YPos.NEXT,
            )
            self.pdf.set_y(self.pdf.get_y() + p.after)

    def room_for(self, height: float) -> None:
        """Start a new page unless this much fits on the current one."""
        if self.pdf.will_page_break(height):
            self.pdf.add_page()

    def box(self, paras: list[Para], fill: tuple, border: tuple, pad: float = 2.5) -> None:
        """Paragraphs in a filled, outlined box across the page."""
        pdf = self.pdf
        inner = pdf.epw - 2 * pad
        h = self.height(paras, inner) + 2 * pad - paras[-1].after
        self.room_for(h)
        x, y = pdf.l_margin, pdf.get_y()
        pdf.set_fill_color(*fill)
        pdf.set_draw_color(*border)
        pdf.set_line_width(0.5)
        pdf.rect(x, y, pdf.epw, h, style="DF")
        pdf.set_y(y + pad)
        self.write(paras, x + pad, inner)
        pdf.set_y(y + h + 3)

    def heading(self, text: str) -> None:
        """A section heading with a rule under it."""
        self.room_for(14)
        pdf = self.pdf
        self.write([Para(text, 10, True, BLUE, after=0.6)], pdf.l_margin, pdf.epw)
        pdf.set_draw_color(*BLUE)
        pdf.set_line_width(0.25)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
        pdf.set_y(pdf.get_y() + 1.5)
