#!/usr/bin/env python
"""Django's command-line utility for the MDM server."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mdm_server.settings")
    from django.core.management import execute_from_command_line

    from mdm_server.env import EnvError

    try:
        execute_from_command_line(sys.argv)
    except EnvError as exc:
        sys.stderr.write(f"Configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
