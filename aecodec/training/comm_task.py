"""Communication autoencoder training: cross-entropy over random messages through AWGN.

Each step draws ``batch_size`` uniform messages and one Eb/N0 per message, uniform in dB over
``config.ebno_db`` = [low, high]. Validation reports the block error rate over ``val_blocks``
fresh messages at the middle of that range (a fixed seed, so runs are comparable).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from aecodec.errors import ConfigError
from aecodec.models.comm_autoencoder import CommAutoencoder, CommConfig
from aecodec.training import distributed
from aecodec.training.config import TrainConfig
from aecodec.training.rd_optim import backward_step

__all__ = ["comm_arch", "CommTask", "comm_config_from"]


def comm_config_from(config: TrainConfig) -> CommConfig:
    """The model architecture a training config describes."""
    return CommConfig(n=config.code_n, k=config.code_k, hidden=config.hidden)


class CommTask:
    """(n, k) autoencoder; see aecodec.models.comm_autoencoder."""

    def __init__(self, config: TrainConfig) -> None:
        if len(config.ebno_db) != 2 or config.ebno_db[0] > config.ebno_db[1]:
            raise ConfigError("ebno_db must be [low, high] in dB")
        torch.manual_seed(config.seed)
        self.config = config
        self.model = CommAutoencoder(comm_config_from(config))
        self.model.train()
        self.optimizers = {"main": torch.optim.Adam(self.model.parameters(), lr=config.lr)}
        self.forward_model = distributed.wrap(self.model)  # DDP under torchrun
        self.generator = torch.Generator().manual_seed(config.seed + 1 + 1000 * distributed.rank())

    def _draw(self, count: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        m = 2**self.config.code_k
        messages = torch.randint(m, (count,), generator=generator)
        low, high = self.config.ebno_db
        ebno = low + (high - low) * torch.rand(count, generator=generator)
        return messages, ebno

    def train_step(self, step: int) -> dict[str, float]:
        messages, ebno = self._draw(self.config.batch_size, self.generator)
        logits = self.forward_model(messages, ebno, self.generator)
        loss = F.cross_entropy(logits, messages)
        backward_step(self.optimizers["main"], loss, self.config.clip_grad)
        errors = (logits.argmax(dim=1) != messages).float().mean()
        return {"loss": float(loss.detach()), "bler": float(errors)}

    @torch.no_grad()
    def validate(self) -> dict[str, float]:
        g = torch.Generator().manual_seed(12345)
        ebno = sum(self.config.ebno_db) / 2
        errors, done = 0, 0
        while done < self.config.val_blocks:
            count = min(65536, self.config.val_blocks - done)
            messages = torch.randint(2**self.config.code_k, (count,), generator=g)
            errors += int((self.model(messages, ebno, g).argmax(dim=1) != messages).sum())
            done += count
        return {"bler": errors / done, "ebno_db": ebno}

    def extra_state(self) -> dict:
        return {"generator": self.generator.get_state()}

    def load_extra_state(self, state: dict) -> None:
        self.generator.set_state(state["generator"])


def comm_arch(config: TrainConfig) -> dict:
    """The registry's architecture config for this run (see aecodec.training.tasks)."""
    return comm_config_from(config).as_dict()
