"""Audio benchmark: codec adapters (aecodec, Opus, Vorbis, MP3), metrics, runner and report."""
