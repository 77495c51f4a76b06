"""The music data script's offline half: stems mixed into songs, archives opened, rates unified."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import soundfile as sf

from aecodec.training import fetch_music


def _tone(seconds: float, rate: int, freq: float, channels: int) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    x = 0.6 * np.sin(2 * np.pi * freq * t).astype(np.float32)
    return np.repeat(x[:, None], channels, axis=1)


def test_stems_of_one_song_are_mixed_at_44_1_khz(tmp_path: Path) -> None:
    song = tmp_path / "usr/share/games/fof/songs/band/tune"
    song.mkdir(parents=True)
    sf.write(song / "song.ogg", _tone(1.0, 22050, 220, 2), 22050, format="OGG")
    sf.write(song / "guitar.ogg", _tone(0.5, 22050, 330, 1), 22050, format="OGG")
    (tracks,) = fetch_music._tracks_of(tmp_path, "fretsonfire-songs-muldjord")
    name, originals, x = tracks
    assert name == "tune" and len(originals) == 2
    assert x.shape == (44100, 2)  # the longer stem's length, stereo, resampled
    assert np.abs(x).max() <= 0.99 + 1e-6  # two loud stems scaled below clipping
    assert np.abs(x[:22050]).max() > np.abs(x[22050:]).max()  # the guitar is in the first half


def test_tracks_inside_a_game_archive_are_found(tmp_path: Path) -> None:
    data = tmp_path / "usr/share/games/g"
    data.mkdir(parents=True)
    wav = tmp_path / "t.wav"
    sf.write(wav, _tone(0.25, 44100, 440, 1), 44100)
    with zipfile.ZipFile(data / "music.pk3", "w") as archive:
        archive.write(wav, "sound/cdtracks/theme.wav")
        archive.writestr("sound/readme.txt", "not audio")
    wav.unlink()
    (tracks,) = fetch_music._tracks_of(tmp_path, "nexuiz-music")
    name, originals, x = tracks
    assert name == "theme" and originals == ["usr/share/games/g/music.pk3:sound/cdtracks/theme.wav"]
    assert x.shape == (11025, 1)
