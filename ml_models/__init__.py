"""faceapi's inference engine: a plain Python library with no Django in it.

TensorFlow is imported lazily (through ``ml_models.registry``) so that importing this package is cheap.
"""
