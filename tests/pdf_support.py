"""Reading a certificate back as poppler renders it: the page as a picture, the QR code module by module."""
import subprocess
from pathlib import Path

import segno
from PIL import Image

DPI = 300


def render_page(pdf: Path, out_stem: Path, dpi: int = DPI) -> Path:
    """The first page as a greyscale PNG (pdftoppm)."""
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", str(pdf), str(out_stem)], check=True)
    return out_stem.with_suffix(".png")


def qr_modules(png: Path, box: tuple[float, float, float], size: int, dpi: int = DPI) -> list[list[bool]]:
    """The dark modules of a QR code of `size` × `size` modules (quiet zone included) printed in
    `box` (x, y, side in mm), read at the centre of each module."""
    image = Image.open(png).convert("L")
    x0, y0, side = box
    px, module = dpi / 25.4, side / size
    return [[image.getpixel((round((x0 + (c + 0.5) * module) * px), round((y0 + (r + 0.5) * module) * px))) < 128
             for c in range(size)] for r in range(size)]


def qr_of(url: str) -> list[list[bool]]:
    """The modules of the QR code the certificate prints for `url`, as segno encodes it."""
    return [[bool(bit) for bit in row] for row in segno.make(url, error="m", micro=False).matrix_iter(border=4)]
