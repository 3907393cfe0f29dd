"""Errors a user can cause or fix (configuration, missing tools, a service down).

The CLI prints their message and exits non-zero instead of showing a traceback, so each message
must say what was wrong, where, and what to do about it.
"""


class DmpError(Exception):
    """Base of the errors whose message is meant for the person running the platform."""


class ConfigError(DmpError):
    """A setting or a configuration file is invalid."""


class MissingToolError(DmpError):
    """A program the platform needs (Java 17, Maven) is not installed."""


class ServiceError(DmpError):
    """A service (the local Cassandra node, Spark) could not be started, reached or stopped."""


class InputError(DmpError):
    """An input file or argument is unusable."""
