"""Errors the command line turns into a one-line message and an exit code."""


class InputError(Exception):
    """The user's input (a run folder, a JSON file, an option) is unusable.

    The command line prints ``arenabench: error: <message>`` on stderr and
    exits with status 2.  The message must name the file or option at fault
    and, where possible, say what to do about it.
    """
