"""Subprocess helper: round-trip a 6000x4000 photo through the CLI API, report peak memory.

python large_image_worker.py KODAK_PNG WORK_DIR -> prints JSON {peak_rss_mb, shape, psnr, ...}
"""

import json
import resource
import sys
import time
from pathlib import Path

from PIL import Image

src, work = Path(sys.argv[1]), Path(sys.argv[2])
with Image.open(src) as im:  # a real photo, upscaled to 24 megapixels
    im.convert("RGB").resize((6000, 4000), Image.Resampling.BICUBIC).save(work / "big.png")
del im

from aecodec import api  # noqa: E402
from aecodec.media import read_image  # noqa: E402
from aecodec.metrics import psnr_rgb  # noqa: E402

t0 = time.perf_counter()
stats = api.compress_file(work / "big.png", work / "big.aec", quality=3)
t1 = time.perf_counter()
api.decompress_file(work / "big.aec", work / "big-out.png")
t2 = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
a, b = read_image(work / "big.png"), read_image(work / "big-out.png")
print(
    json.dumps(
        {
            "peak_rss_mb": peak,
            "shape": list(b.shape),
            "bpp": stats.bpp,
            "psnr": psnr_rgb(a, b),
            "encode_s": t1 - t0,
            "decode_s": t2 - t1,
        }
    )
)
