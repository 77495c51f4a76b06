"""``aecodec`` command line: ``main(argv) -> int``. User errors: one line on stderr, exit 2."""

from __future__ import annotations

import argparse
import sys
import warnings

# compressai calls torch.jit.script at import time, which newer torch flags; users need not see it.
warnings.filterwarnings(
    "ignore", message="`torch.jit.script` is deprecated", category=FutureWarning
)

from aecodec import __version__  # noqa: E402
from aecodec.bitstream import BitstreamError  # noqa: E402
from aecodec.cli.bench_commands import add_bench_commands  # noqa: E402
from aecodec.cli.codec_commands import add_codec_commands  # noqa: E402
from aecodec.cli.demo_command import add_demo_command  # noqa: E402
from aecodec.cli.train_commands import add_train_commands  # noqa: E402
from aecodec.cli.transmit_command import add_transmit_command  # noqa: E402
from aecodec.errors import AecodecError  # noqa: E402

__all__ = ["main", "build_parser", "user_message", "USER_ERRORS"]

USER_ERRORS = (AecodecError, BitstreamError, FileExistsError, FileNotFoundError, OSError)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse's own convention)
        self.exit(2, f"aecodec: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="aecodec", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"aecodec {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    add_codec_commands(sub)
    add_demo_command(sub)
    add_bench_commands(sub)
    add_train_commands(sub)
    add_transmit_command(sub)
    return parser


def user_message(e: BaseException) -> str:
    """The one line a user sees for an error."""
    if isinstance(e, MemoryError):
        return "not enough memory for this input"
    message = str(e).splitlines()[0] if str(e) else type(e).__name__
    if isinstance(e, OSError) and e.filename and e.strerror:
        message = f"{e.filename}: {e.strerror}"
    return message


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        return 1
    except (*USER_ERRORS, MemoryError) as e:  # anything else is a bug: let it show
        print(f"aecodec: error: {user_message(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("aecodec: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
