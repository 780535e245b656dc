"""presswatch: monitors how state institutions meet their public-communication duties."""

__version__ = "0.1.0"
