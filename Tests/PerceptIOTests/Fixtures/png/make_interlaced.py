"""Makes the Adam7 fixture for ImageFileTests: interlaced.png is libpng's own test image
(pngtest.png from Debian's libpng-dev, /usr/share/doc/libpng-dev/examples; 91x69 RGBA, interlaced;
libpng licence), plain.png the same samples written without interlacing by Pillow (9.4, Debian's
python3-pil), so the two decoding paths of ImageFile.read can be compared sample for sample.

    python3 Tests/PerceptIOTests/Fixtures/png/make_interlaced.py
"""
import shutil
from pathlib import Path

from PIL import Image

here = Path(__file__).resolve().parent
source = Path("/usr/share/doc/libpng-dev/examples/pngtest.png")
shutil.copyfile(source, here / "interlaced.png")
img = Image.open(source)
assert img.info.get("interlace") == 1 and img.mode == "RGBA"
Image.frombytes("RGBA", img.size, img.tobytes()).save(here / "plain.png")  # no colour chunks, not interlaced
