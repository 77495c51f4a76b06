"""Subprocess helper: decode audio .aec files with a given thread count, print sample hashes.

python decode_audio_worker.py THREADS FILE... (run by test_audio_codec.py in fresh processes)
"""

import hashlib
import json
import sys

import torch

torch.set_num_threads(int(sys.argv[1]))

from aecodec import audio_api  # noqa: E402

out = {}
for path in sys.argv[2:]:
    with open(path, "rb") as f:
        samples, _ = audio_api.decompress_audio(f.read())
    out[path] = hashlib.sha256(samples.tobytes()).hexdigest()
print(json.dumps(out))
