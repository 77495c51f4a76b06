"""Subprocess helper: compress and decompress one audio file, report time and peak memory.

python long_audio_worker.py IN_AUDIO WORK_DIR -> prints JSON {peak_rss_mb, seconds, encode_s,
decode_s, kbps}
"""

import json
import resource
import sys
import time
from pathlib import Path

from aecodec import api  # noqa: E402

src, work = Path(sys.argv[1]), Path(sys.argv[2])
t0 = time.perf_counter()
stats = api.compress_file(src, work / "long.aec", quality=3)
t1 = time.perf_counter()
api.decompress_file(work / "long.aec", work / "long-out.flac")
t2 = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(
    json.dumps(
        {
            "peak_rss_mb": peak,
            "seconds": stats.seconds,
            "encode_s": t1 - t0,
            "decode_s": t2 - t1,
            "kbps": stats.kbps,
        }
    )
)
