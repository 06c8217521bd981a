"""``python -m bot.cli``: the ``copro`` command, for processes started without the script."""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main())
