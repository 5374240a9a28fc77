"""dangan kernel: settings, domain records, errors and the pipeline's composition."""

__version__ = "0.1.0"
