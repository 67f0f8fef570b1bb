"""Training scripts of the project's own heads, one module per head (``python -m ml_models.training.<head>``).

Each writes its weights to ``ml_models/weights/`` and its section of ``ml_models/weights/MODEL_CARD.md``.
``make train`` (``python -m ml_models.training``) runs them all, in this order.
"""

TRAINERS: list[str] = [
    "ml_models.training.liveness",
    "ml_models.training.attributes",
    "ml_models.training.mask",
    "ml_models.training.age_gender",
    "ml_models.training.emotion",
]
