"""esap-registry: a linked-data registry of scientific executables and the platforms that can run them."""

__version__ = "0.1.0"
