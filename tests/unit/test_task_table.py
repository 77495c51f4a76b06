"""The task table: every task trains, exports and registers through one row."""

from __future__ import annotations

import pytest

from aecodec import zoo
from aecodec.errors import ConfigError, ModelError
from aecodec.training.config import TrainConfig
from aecodec.training.tasks import TASKS, make_task, task_spec


@pytest.mark.parametrize("name", sorted(TASKS))
def test_each_task_row_names_a_model_the_zoo_builds(name: str) -> None:
    spec = TASKS[name]
    assert spec.arch in zoo.ARCHITECTURES and spec.kind in zoo.KINDS
    assert spec.storage in ("fp16-frozen", "fp16", "fp32")
    config = TrainConfig(task=name)
    model = zoo.build(spec.arch, spec.architecture(config))  # the config the registry stores
    assert sum(p.numel() for p in model.parameters()) > 0


def test_unknown_task_is_a_config_error_naming_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="known: image"):
        make_task(TrainConfig(task="video"))
    with pytest.raises(ValueError):  # also a ValueError for library callers
        task_spec("video")


def test_loading_a_model_of_the_wrong_kind_names_both_kinds() -> None:
    with pytest.raises(ModelError, match="is an image codec, not a deep JSCC model"):
        zoo.load("hyperprior-v4", kind="jscc")
    with pytest.raises(ModelError, match="unknown model"):
        zoo.entry_of_kind("no-such-model", "image")


def test_a_tasks_own_defaults_apply_and_a_config_file_overrides_them(tmp_path) -> None:
    from aecodec.training.config import load_config

    jscc = load_config(None, task="jscc")
    assert (jscc.crop, jscc.batch_size) == (64, 32)  # the task's, not the image task's 256, 8
    assert load_config(None).crop == 256
    file = tmp_path / "c.toml"
    file.write_text('task = "jscc"\ncrop = 128\n')
    assert load_config(file).crop == 128 and load_config(file, crop=192).crop == 192


def test_a_config_groups_its_tasks_settings_in_a_table_and_errors_name_the_key(tmp_path) -> None:
    import pytest

    from aecodec.training.config import dump_config, load_config

    file = tmp_path / "a.toml"
    file.write_text('task = "audio"\nsteps = 10\n\n[audio]\nn = 48\nkbps = [3.0, 6.0]\n')
    config = load_config(file)
    assert (config.n, config.kbps, config.m, config.steps) == (48, [3.0, 6.0], 64, 10)
    again = tmp_path / "b.toml"
    again.write_text(dump_config(config))
    assert "\n[audio]\n" in again.read_text() and load_config(again) == config
    for text, message in [
        ('task = "audio"\n[image]\nn = 8\n', r"\[image\] table but its task is 'audio'"),
        ('task = "audio"\n[audio]\nlr = 1.0\n', r"\[audio\] has no setting 'lr'"),
        ('task = "audio"\nn = 8\n[audio]\nn = 9\n', "both at the top and in"),
    ]:
        file.write_text(text)
        with pytest.raises(ConfigError, match=message):
            load_config(file)
