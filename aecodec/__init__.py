"""aecodec: learned compression (images, audio) and learned transmission over noisy channels."""

from importlib.metadata import PackageNotFoundError, version

from aecodec import compressai_core

# CompressAI's entropy models without its point-cloud stack (about 10 s of start-up): see
# compressai_core.py. Must run before anything imports compressai; imports nothing itself.
compressai_core.load()

try:
    __version__ = version("aecodec")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
