"""Default settings that the command line shows in its help: importable without torch."""

__all__ = ["DEFAULT_QUALITY", "DEFAULT_AUDIO_QUALITY"]

DEFAULT_QUALITY = 3.0  # image rate level
DEFAULT_AUDIO_QUALITY = 3.0  # audio rate level
