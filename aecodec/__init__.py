"""aecodec: learned compression (images, audio) and learned transmission over noisy channels."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("aecodec")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
