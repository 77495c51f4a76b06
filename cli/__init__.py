"""Command-line front end (installed as aecodec.cli); the library never imports it."""
