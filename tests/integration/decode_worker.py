"""Subprocess helper: decode .aec files with a given thread count, print output hashes as JSON.

python decode_worker.py THREADS FILE... (run by the determinism tests in fresh processes).
Images hash their pixels, audio files their 16-bit samples.
"""

import hashlib
import json
import sys

import torch

torch.set_num_threads(int(sys.argv[1]))

from aecodec import api, audio_codec, bitstream  # noqa: E402

out = {}
for path in sys.argv[2:]:
    with open(path, "rb") as f:
        data = f.read()
    if bitstream.decode(data).kind == bitstream.KIND_AUDIO:
        decoded, _ = audio_codec.decompress_audio(data)
    else:
        decoded, _ = api.decompress_image(data)
    out[path] = hashlib.sha256(decoded.tobytes()).hexdigest()
print(json.dumps(out))
