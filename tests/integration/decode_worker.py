"""Subprocess helper: decode .aec files with a given thread count, print pixel hashes as JSON.

python decode_worker.py THREADS FILE... (run by test_determinism.py in fresh processes)
"""

import hashlib
import json
import sys

import torch

torch.set_num_threads(int(sys.argv[1]))

from aecodec import api  # noqa: E402

out = {}
for path in sys.argv[2:]:
    with open(path, "rb") as f:
        pixels, _ = api.decompress_image(f.read())
    out[path] = hashlib.sha256(pixels.tobytes()).hexdigest()
print(json.dumps(out))
