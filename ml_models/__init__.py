"""faceapi's inference engine: a plain Python library with no Django in it.

TensorFlow is imported lazily (through ``ml_models.registry``) so that importing this package is cheap.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up chatter, before any import of it
