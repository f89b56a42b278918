#!/usr/bin/env python
"""The minimal `civicpulse` Django project that runs the package for the tests and the live run."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicpulse.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
