"""Default settings that the command line shows in its help: importable without torch."""

__all__ = ["DEFAULT_QUALITY", "DEFAULT_AUDIO_QUALITY", "TRANSMIT_SCHEMES"]

DEFAULT_QUALITY = 3.0  # image rate level
DEFAULT_AUDIO_QUALITY = 3.0  # audio rate level

# what ``aecodec transmit --scheme`` offers (aecodec.transmission.transmit runs each)
TRANSMIT_SCHEMES = ("djscc", "softcast", "softcast-refined", "digital-j2k", "digital-aec")
