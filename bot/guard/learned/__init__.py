"""The learned injection detector: a linear model over character and word n-grams.

``features`` turns a prompt into the n-grams the model reads, ``detector`` loads the shipped
model and scores prompts with numpy only, ``training`` (scikit-learn, not imported at run
time) rebuilds the model from ``data/guard/``.
"""
