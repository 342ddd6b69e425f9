"""A Kubernetes API server emulator for PyBak's tests.

It speaks the Kubernetes REST protocol (JSON over HTTP/1.1) on loopback, closely
enough that ``kubectl``, the Python ``kubernetes`` client and PyBak's Swift
controller can run against it. See ../README.md for what is and is not faithful.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
